/// Where a campaign (or a transactional message) is in its life, as stored in `campaigns.state`.
public enum CampaignState: String, Sendable, Hashable, CaseIterable, Codable {
    /// Accepted, waiting for its `send_at` (or for the next pass, when due now).
    case scheduled
    case running
    case paused
    case completed
    case cancelled
    /// It could not be sent at all (its account was removed, say); the reason is on its job.
    case failed
    /// Its `expires_at` passed before it started.
    case expired

    /// Nothing more will ever happen to it.
    public var isFinished: Bool {
        switch self {
        case .completed, .cancelled, .failed, .expired: true
        case .scheduled, .running, .paused: false
        }
    }
}
