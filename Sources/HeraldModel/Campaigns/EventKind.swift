/// What an `events` row records: the reporting log every funnel and export is computed from.
public enum EventKind: String, Sendable, Hashable, CaseIterable, Codable {
    case sent
    case failed
    case skipped
    case uncertain
    /// The platform says it reached the device (Messenger `delivery`).
    case delivered
    /// The platform says it was seen (Messenger `read`).
    case read
    case click
    case subscribed
    case unsubscribed
    case blocked
    /// A `retry` put a failed delivery back (its failure, with the reason, stays as the `failed` event before it).
    case requeued
    /// Someone came through a popup form's link; `detail.outcome` says whether its fields were claimed
    /// (`claimed`) or not (`reused`, `expired`, `unknown`).
    case formClaimed = "form_claimed"
}
