/// Sliding one-window counters per scope (a bot, a chat, a Page): how the platforms count calls, and where
/// the simulator counts every call over a limit as a violation, enforced or not.
public struct RateWindows: Sendable {
    /// The arrival times still inside one scope's window; `head` skips those that left it, compacted now and then.
    private struct Window: Sendable {
        var times: [Double] = []
        var head = 0

        /// Drops arrivals `window` seconds before `now`, adds `now`, and returns how many are inside.
        mutating func record(_ now: Double, window: Double) -> Int {
            while head < times.count, now - times[head] >= window { head += 1 }
            if head > 1024, head * 2 > times.count {
                times.removeFirst(head)
                head = 0
            }
            times.append(now)
            return times.count - head
        }
    }

    private var windows: [String: Window] = [:]
    /// Calls over a limit, by scope kind (`telegram_bot`, `telegram_chat`, `telegram_group`, `messenger_page`, `messenger_media`).
    public private(set) var violations: [String: Int] = [:]

    public init() {}

    /// Counts a call at `now` in `scope`; true when it is over `limit` calls within `window` seconds.
    public mutating func over(_ scope: String, kind: String, limit: Int, window: Double, now: Double) -> Bool {
        // Mutated in place: copying a busy bot's window out and back costs a copy of thousands of times per call.
        guard windows[scope, default: Window()].record(now, window: window) > limit else { return false }
        violations[kind, default: 0] += 1
        return true
    }

    /// Forgets every window and violation.
    public mutating func reset() {
        windows.removeAll()
        violations.removeAll()
    }
}
