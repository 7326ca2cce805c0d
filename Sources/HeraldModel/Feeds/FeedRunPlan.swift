import Foundation

/// What one run of a feed does with the items it found: which are new, which become messages, which are only
/// remembered (the back catalogue on a first run, the overflow past `max_items`).
public struct FeedRunPlan: Sendable, Equatable {
    /// Items to send, oldest first: one campaign each (`each`), or one campaign for all (`digest`).
    public var send: [FeedItem]
    /// New items remembered without being sent, and why.
    public var skipped: [(item: FeedItem, reason: SkipReason)]
    public enum SkipReason: String, Sendable, Equatable {
        /// Present when the feed was first read: the back catalogue.
        case firstRun = "first_run"
        /// More new items than `max_items` in one run: the oldest ones are left out.
        case overLimit = "over_limit"
    }

    public static let defaultMaxItems = 5

    /// - Parameters:
    ///   - items: as the feed lists them.
    ///   - seen: keys of items already remembered for this feed.
    ///   - firstRun: the feed has never been read successfully.
    public init(items: [FeedItem], seen: Set<String>, firstRun: Bool, sendLatestOnFirstRun: Int, maxItems: Int) {
        var unique = Set<String>()
        // Newest first: by date where every new item has one, else in the feed's own order (newest first, by convention).
        var fresh = items.filter { !seen.contains($0.key) && unique.insert($0.key).inserted }
        if fresh.allSatisfy({ $0.published != nil }) {
            fresh = fresh.enumerated().sorted { ($0.element.published!, -$0.offset) > ($1.element.published!, -$1.offset) }.map(\.element)
        }
        let allowed = firstRun ? min(sendLatestOnFirstRun, maxItems) : maxItems
        send = Array(fresh.prefix(allowed).reversed())
        let reason: SkipReason = firstRun ? .firstRun : .overLimit
        skipped = fresh.dropFirst(allowed).map { ($0, reason) }
    }

    public static func == (lhs: FeedRunPlan, rhs: FeedRunPlan) -> Bool {
        lhs.send == rhs.send && lhs.skipped.map(\.item) == rhs.skipped.map(\.item) && lhs.skipped.map(\.reason) == rhs.skipped.map(\.reason)
    }
}
