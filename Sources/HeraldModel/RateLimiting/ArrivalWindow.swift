/// What a platform counting an account's calls in a sliding one-second window may have seen of them: the calls
/// still out (they may arrive at any moment) and the answered ones, each until the latest time it can have
/// arrived. A call goes only while fewer than the limit could share a window with it, so however calls bunch on
/// the way (a stalled thread writing a backlog at once, a late wake), no window of arrivals holds more than the limit.
///
/// Why that holds: take any window and the last call of it to leave, at `t`. Every other call of the window left
/// before `t` and arrived after `t - 1`, so at `t` it was out, or answered with an arrival bound after `t - 1`: all
/// of them were counted, and fewer than the limit were.
public struct ArrivalWindow: Sendable {
    /// Calls allowed in any one-second window.
    public var limit: Int
    /// The platforms' window, in seconds.
    public static let span = 1.0
    /// How long after it was written a call is taken to have arrived at the latest, when its answer took longer:
    /// a slow answer is the platform working, not the call travelling. Well below the limiter's headroom (1.7 % of
    /// a second), so that a steady stream at the limiter's pace, with its catch-up bursts, does not wait here, however
    /// slow the answers (at 15 ms, 2,000/s with 250 ms answers lost 0.8 % of its rate here).
    public static let allowance = 0.010

    /// Calls sent and not answered.
    public private(set) var out = 0
    /// Arrival bounds of answered calls, sorted; `head` skips those that left the window.
    private var bounds: [Double] = []
    private var head = 0

    public init(limit: Int) { self.limit = limit }

    /// A call leaves now.
    public mutating func sent() { out += 1 }

    /// A call was answered at `now`; `writtenAt` is when its request was written, when the transport knows.
    public mutating func answered(at now: Double, writtenAt: Double?) {
        out = max(0, out - 1)
        let bound = writtenAt.map { min(now, $0 + ArrivalWindow.allowance) } ?? now
        // Answers come nearly in the order calls were written: the place is at or near the end.
        var index = bounds.count
        while index > head, bounds[index - 1] > bound { index -= 1 }
        bounds.insert(bound, at: index)
    }

    /// The earliest time at or after `now` a call may leave: `now` when fewer than `limit` calls could share a
    /// window with it. A later time is when the next answered call leaves the window; an answer may free a place
    /// sooner, and the caller asks again then.
    public mutating func earliest(at now: Double) -> Double {
        while head < bounds.count, bounds[head] <= now - ArrivalWindow.span { head += 1 }
        if head > 1024, head * 2 > bounds.count {
            bounds.removeFirst(head)
            head = 0
        }
        let counted = out + bounds.count - head
        guard counted >= limit else { return now }
        let leaving = counted - limit + 1
        guard leaving <= bounds.count - head else { return now + ArrivalWindow.span }
        return max(now, bounds[head + leaving - 1] + ArrivalWindow.span)
    }
}
