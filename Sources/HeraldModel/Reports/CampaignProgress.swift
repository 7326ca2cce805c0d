/// Where a running or scheduled campaign stands, for `herald status`.
public struct CampaignProgress: Sendable, Equatable {
    public var jobID: String
    public var account: String
    public var state: String
    /// Epoch milliseconds it is due (scheduled) or started (running).
    public var sendAt: Int64
    public var startedAt: Int64?
    /// Deliveries made so far (the audience is expanded in batches), and by state.
    public var deliveries: Int
    public var sent: Int
    public var open: Int
    public var failed: Int
    public var skipped: Int
    /// Whether every recipient has a delivery yet.
    public var audienceExpanded: Bool

    public init(jobID: String, account: String, state: String, sendAt: Int64, startedAt: Int64?, deliveries: Int, sent: Int, open: Int, failed: Int, skipped: Int, audienceExpanded: Bool) {
        self.jobID = jobID
        self.account = account
        self.state = state
        self.sendAt = sendAt
        self.startedAt = startedAt
        self.deliveries = deliveries
        self.sent = sent
        self.open = open
        self.failed = failed
        self.skipped = skipped
        self.audienceExpanded = audienceExpanded
    }

    /// Seconds until what is open is sent at `rate` messages per second (a lower bound: per-chat limits and
    /// retries can only add to it); nil while the audience is still being expanded or nothing is open.
    public func secondsLeft(rate: Double) -> Double? {
        guard audienceExpanded, open > 0, rate > 0 else { return nil }
        return Double(open) / rate
    }
}

/// The ledger's deliveries by what they wait for, across campaigns.
public struct DeliveryBacklog: Sendable, Equatable {
    /// Marked `sending`: their call may be out now.
    public var sending: Int
    /// Waiting for a retry after a failed attempt.
    public var retrying: Int
    /// Possibly sent (a crash or lost answer), waiting to be resent, flagged.
    public var uncertain: Int
    /// Never tried yet.
    public var waiting: Int

    public init(sending: Int, retrying: Int, uncertain: Int, waiting: Int) {
        self.sending = sending
        self.retrying = retrying
        self.uncertain = uncertain
        self.waiting = waiting
    }
}
