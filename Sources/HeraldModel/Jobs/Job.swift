/// A validated job file: its optional id and what it asks for.
public struct Job: Sendable, Hashable {
    /// Every job type of schema v1.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case campaign, message, subscribers, automation, feed, cancel, pause, resume, retry
        case growthTool = "growth_tool"
    }

    /// What the job asks for.
    public enum Body: Sendable, Hashable {
        case campaign(CampaignJob)
        case message(MessageJob)
        case subscribers(SubscribersJob)
        case automation(AutomationJob)
        case feed(FeedJob)
        case growthTool(GrowthToolJob)
        case control(ControlJob)
        case retry(RetryJob)
    }

    /// The id given in the file, if any.
    public var id: JobID?
    public var body: Body

    public var kind: Kind {
        switch body {
        case .campaign: .campaign
        case .message: .message
        case .subscribers: .subscribers
        case .automation: .automation
        case .feed: .feed
        case .growthTool: .growthTool
        case .control(let control): Kind(rawValue: control.action.rawValue)!
        case .retry: .retry
        }
    }

    /// The account the job acts on, where it names one.
    public var account: String? {
        switch body {
        case .campaign(let job): job.account
        case .message(let job): job.account
        case .subscribers(let job): job.account
        case .automation(let job): job.account
        case .feed(let job): job.settings.account
        case .growthTool(let job): job.settings.accounts?.keys.sorted().first
        case .control, .retry: nil
        }
    }
}
