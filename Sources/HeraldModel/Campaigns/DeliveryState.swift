/// Where one (campaign, recipient) delivery is, as stored in `deliveries.state`.
public enum DeliveryState: String, Sendable, Hashable, CaseIterable, Codable {
    /// Due at `next_attempt_at` (or now).
    case pending
    /// Its API call may be on the wire: marked just before it goes out.
    case sending
    /// It may have reached the platform (a crash or a broken answer mid-request): sent again, flagged.
    case uncertain
    case sent
    case failed
    case skipped

    /// Still to be sent, or being sent.
    public var isOpen: Bool {
        switch self {
        case .pending, .sending, .uncertain: true
        case .sent, .failed, .skipped: false
        }
    }
}
