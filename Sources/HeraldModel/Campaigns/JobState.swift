/// Where an accepted job is, as stored in `jobs.state`: campaign and message jobs follow their campaign, the
/// others complete inside the transaction that accepted them.
public enum JobState: String, Sendable, Hashable, CaseIterable, Codable {
    case accepted
    case queued
    case running
    case paused
    case completed
    case cancelled
    case failed
    case expired

    /// The job state that mirrors a campaign state.
    public init(campaign: CampaignState) {
        switch campaign {
        case .scheduled: self = .queued
        case .running: self = .running
        case .paused: self = .paused
        case .completed: self = .completed
        case .cancelled: self = .cancelled
        case .failed: self = .failed
        case .expired: self = .expired
        }
    }

    public var isFinished: Bool {
        switch self {
        case .completed, .cancelled, .failed, .expired: true
        case .accepted, .queued, .running, .paused: false
        }
    }
}
