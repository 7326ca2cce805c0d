/// A campaign being sent: what the dispatcher needs to track it (its spec is decoded once).
public struct RunningCampaign: Sendable {
    public var id: Int64
    public var jobID: String
    public var account: String
    public var priority: Int
    /// A farewell may reach an unsubscribed subscriber; every other kind only subscribed ones.
    public var kind: CampaignDraft.Kind = .campaign
    public var audienceExpanded: Bool
    /// Wall-clock ms after which nothing more of it is sent.
    public var expiresAt: Int64?
    /// Its stored `CampaignSpec` (nil for campaigns accepted before specs were stored).
    public var spec: String?
    /// The job's text, read only for campaigns without a stored spec.
    public var jobBody: String?
    /// When a `retry` last put failed deliveries back (wall-clock ms).
    public var requeuedAt: Int64?

    public init(id: Int64, jobID: String, account: String, priority: Int, audienceExpanded: Bool, expiresAt: Int64? = nil, spec: String? = nil, jobBody: String? = nil) {
        self.id = id
        self.jobID = jobID
        self.account = account
        self.priority = priority
        self.audienceExpanded = audienceExpanded
        self.expiresAt = expiresAt
        self.spec = spec
        self.jobBody = jobBody
    }
}
