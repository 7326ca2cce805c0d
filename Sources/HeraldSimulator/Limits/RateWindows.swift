/// Sliding one-window counters per scope (a bot, a chat, a Page): how the platforms count calls, and where
/// the simulator counts every call over a limit as a violation, enforced or not.
public struct RateWindows: Sendable {
    private var times: [String: [Double]] = [:]
    /// Calls over a limit, by scope kind (`telegram_bot`, `telegram_chat`, `telegram_group`, `messenger_page`, `messenger_media`).
    public private(set) var violations: [String: Int] = [:]

    public init() {}

    /// Counts a call at `now` in `scope`; true when it is over `limit` calls within `window` seconds.
    public mutating func over(_ scope: String, kind: String, limit: Int, window: Double, now: Double) -> Bool {
        var list = times[scope, default: []]
        if let firstInside = list.firstIndex(where: { now - $0 < window }) {
            list.removeFirst(firstInside)
        } else {
            list.removeAll(keepingCapacity: true)
        }
        list.append(now)
        times[scope] = list
        guard list.count > limit else { return false }
        violations[kind, default: 0] += 1
        return true
    }

    /// Forgets every window and violation.
    public mutating func reset() {
        times.removeAll()
        violations.removeAll()
    }
}
