/// A running campaign or transactional message as the dispatch machine sends it: decoded once, never re-read.
public struct DispatchCampaign: Sendable {
    public var id: Int64
    public var jobID: String
    public var account: String
    /// Lower goes first: 0 for transactional messages, 1 for campaigns.
    public var priority: Int
    public var platform: Platform
    public var content: MessageContent
    /// Options resolved against the configuration's defaults and the account (paid broadcast only where enabled).
    public var options: SendOptions
    /// Wall-clock ms after which its deliveries are skipped as `expired`.
    public var expiresAt: Int64?
    /// A goodbye after an unsubscribe: sent although its subscriber is `unsubscribed`.
    public var reachesUnsubscribed = false
    /// With tracking on, rewrites its links to tracked ones.
    public var tracker: LinkTracker?
    /// When a `retry` last put failed deliveries back (wall-clock ms): rows behind the machine's cursor are due again.
    public var requeuedAt: Int64?

    public init(id: Int64, jobID: String, account: String, priority: Int, platform: Platform, content: MessageContent, options: SendOptions, expiresAt: Int64? = nil) {
        self.expiresAt = expiresAt
        self.id = id
        self.jobID = jobID
        self.account = account
        self.priority = priority
        self.platform = platform
        self.content = content
        self.options = options
    }
}
