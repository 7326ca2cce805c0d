/// One campaign's funnel, from audience to click: counts from the ledger, and what each platform can tell.
public struct CampaignFunnel: Sendable, Equatable {
    /// A reason and how many deliveries it stopped.
    public struct Reason: Sendable, Equatable {
        public var reason: String
        public var count: Int
        public init(reason: String, count: Int) {
            self.reason = reason
            self.count = count
        }
    }

    /// The campaign's row id.
    public var id: Int64
    public var jobID: String
    public var name: String?
    public var account: String
    public var platform: Platform
    public var state: String
    /// Deliveries made for the campaign: one per recipient.
    public var audience: Int
    public var sent: Int
    /// Deliveries the platform reported delivered (Messenger receipts; a read counts as delivered too).
    public var reportedDelivered: Int
    public var reportedRead: Int
    /// Distinct recipients who clicked, by who made the click.
    public var clickedHumans: Int
    /// Clicks by people, counting each one (a person may click twice, or two links).
    public var humanClicks: Int
    public var previewBotFetches: Int
    public var unknownFetches: Int
    /// Recipients who unsubscribed or blocked after the campaign started.
    public var unsubscribed: Int
    public var pending: Int
    public var failed: [Reason]
    public var skipped: [Reason]
    /// When it started and finished, in epoch milliseconds.
    public var startedAt: Int64?
    public var finishedAt: Int64?

    public init(
        id: Int64, jobID: String, name: String?, account: String, platform: Platform, state: String, audience: Int, sent: Int, reportedDelivered: Int, reportedRead: Int,
        clickedHumans: Int, humanClicks: Int, previewBotFetches: Int, unknownFetches: Int, unsubscribed: Int, pending: Int, failed: [Reason], skipped: [Reason],
        startedAt: Int64?, finishedAt: Int64?
    ) {
        self.id = id
        self.jobID = jobID
        self.name = name
        self.account = account
        self.platform = platform
        self.state = state
        self.audience = audience
        self.sent = sent
        self.reportedDelivered = reportedDelivered
        self.reportedRead = reportedRead
        self.clickedHumans = clickedHumans
        self.humanClicks = humanClicks
        self.previewBotFetches = previewBotFetches
        self.unknownFetches = unknownFetches
        self.unsubscribed = unsubscribed
        self.pending = pending
        self.failed = failed
        self.skipped = skipped
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// Delivered: Messenger's receipts; on Telegram an accepted send is as far as anyone can know, so every sent.
    public var delivered: Int { platform == .telegram ? sent : min(reportedDelivered, sent) }

    /// Read: Messenger's read receipts; nil on Telegram, which tells bots nothing (n/a, never 0).
    public var read: Int? { platform == .telegram ? nil : min(reportedRead, sent) }

    /// Fetches by anything but a person: preview bots and unknown agents.
    public var botFetches: Int { previewBotFetches + unknownFetches }

    /// Click-through rate: distinct people who clicked per message sent.
    public var clickThroughRate: Double { CampaignFunnel.share(clickedHumans, of: sent) }

    public var failedCount: Int { failed.reduce(0) { $0 + $1.count } }
    public var skippedCount: Int { skipped.reduce(0) { $0 + $1.count } }

    /// `part` as a share of `whole`, 0 when there is no whole.
    public static func share(_ part: Int, of whole: Int) -> Double {
        whole == 0 ? 0 : Double(part) / Double(whole)
    }
}
