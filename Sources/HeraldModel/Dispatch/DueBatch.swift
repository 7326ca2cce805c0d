/// What one load of a campaign's window found.
public struct DueBatch: Sendable {
    public var rows: [PendingDelivery]
    /// Nothing more is due now; `nextDueAt` (wall-clock ms) says when something will be.
    public var exhausted: Bool
    public var nextDueAt: Int64?
    /// The audience is fully expanded into deliveries.
    public var expanded: Bool
    /// The audience matched nobody; with the account's tags, to say so usefully.
    public var emptyAudience = false
    public var accountTags: [String] = []
}

extension DueBatch {
    public init(rows: [PendingDelivery], exhausted: Bool, nextDueAt: Int64?, expanded: Bool) {
        self.rows = rows
        self.exhausted = exhausted
        self.nextDueAt = nextDueAt
        self.expanded = expanded
    }
}
