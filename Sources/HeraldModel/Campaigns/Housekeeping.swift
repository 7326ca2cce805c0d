/// What one housekeeping pass over the campaigns did and found: expiries applied, campaigns started and
/// completed, and the running set the dispatcher sends.
public struct Housekeeping: Sendable {
    /// A campaign that finished in this pass, with its outcome in one line.
    public struct Completion: Sendable, Equatable {
        public var jobID: String
        public var summary: String

        public init(jobID: String, summary: String) {
            self.jobID = jobID
            self.summary = summary
        }
    }

    /// Job ids of campaigns whose `expires_at` came.
    public var expired: [String] = []
    /// Ids of campaigns started because their time came.
    public var started: [Int64] = []
    public var completed: [Completion] = []
    public var running: [RunningCampaign] = []
    /// Wall-clock ms of the next scheduled start, if one is scheduled.
    public var nextScheduledStart: Int64?

    public init() {}
}
