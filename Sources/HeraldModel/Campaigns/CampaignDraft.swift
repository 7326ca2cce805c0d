/// A campaign or single message to create: from a job file today, from a feed item, an automated reply or a
/// growth tool next. The store's one way in (`createCampaign`).
public struct CampaignDraft: Sendable, Hashable {
    /// Bulk campaigns and transactional messages differ only in priority.
    public enum Kind: String, Sendable, Hashable, Codable {
        case campaign
        case message
        /// A goodbye to someone who just unsubscribed: the one message that may still reach them.
        case farewell
        /// A test copy for the people checking a message (`herald test-send`): sent at once, outside every report.
        case test

        /// Lower goes first.
        public var priority: Int { self == .campaign ? 1 : 0 }
    }

    public var kind: Kind
    public var account: String
    public var name: String?
    public var spec: CampaignSpec
    /// Who it goes to; listed subscribers and recipients become deliveries when it is created.
    public var audience: Audience
    /// Wall-clock ms; nil is now.
    public var sendAt: Int64?
    /// Wall-clock ms after which nothing of it is sent.
    public var expiresAt: Int64?
    /// The subscriber source recorded for inline recipients that are new (`job`, `feed`, `welcome`, …).
    public var source: String

    public init(kind: Kind, account: String, name: String? = nil, spec: CampaignSpec, audience: Audience, sendAt: Int64? = nil, expiresAt: Int64? = nil, source: String = "job") {
        self.kind = kind
        self.account = account
        self.name = name
        self.spec = spec
        self.audience = audience
        self.sendAt = sendAt
        self.expiresAt = expiresAt
        self.source = source
    }

    /// The draft of an accepted campaign or message job; nil for other kinds.
    public init?(_ job: Job) {
        switch job.body {
        case .campaign(let campaign):
            self.init(
                kind: .campaign, account: campaign.account, name: campaign.name,
                spec: CampaignSpec(platform: campaign.platform, content: campaign.message, options: campaign.options, audience: AudienceRule(campaign.audience)),
                audience: campaign.audience, sendAt: campaign.sendAt?.date.millisecondsSince1970, expiresAt: campaign.expiresAt?.date.millisecondsSince1970
            )
        case .message(let message):
            self.init(
                kind: message.test ? .test : .message, account: message.account,
                spec: CampaignSpec(platform: message.platform, content: message.message, options: message.options, audience: .listed),
                // A test reaches existing subscribers only: an unknown id is refused, never added to the audience.
                audience: message.test ? .subscribers(message.recipients.map(\.platformID)) : .recipients(message.recipients),
                expiresAt: message.expiresAt?.date.millisecondsSince1970
            )
        default:
            return nil
        }
    }
}
