/// The generic cell rate algorithm for one key: a rate and a burst, kept as one number (the theoretical
/// arrival time), so millions of chats cost one Double each. Time is passed in, in seconds.
public struct GCRA: Sendable, Equatable {
    /// Seconds between sends at the configured rate.
    public let interval: Double
    /// How far ahead of the schedule a burst may run: `(burst - 1) × interval`.
    public let tolerance: Double
    public private(set) var theoreticalArrival: Double

    public init(rate: Double, burst: Int = 1, start: Double = 0) {
        interval = 1 / rate
        tolerance = Double(max(burst, 1) - 1) / rate
        theoreticalArrival = start
    }

    /// A cell that may run `tolerance` seconds ahead of its schedule.
    public init(rate: Double, tolerance: Double, start: Double = 0) {
        interval = 1 / rate
        self.tolerance = max(0, tolerance)
        theoreticalArrival = start
    }

    /// The earliest time a send is allowed (never before `now`).
    public func earliest(at now: Double) -> Double { max(now, theoreticalArrival - tolerance) }

    /// Records a send at `time` (which must be ≥ `earliest(at:)`).
    public mutating func consume(at time: Double) { theoreticalArrival = max(time, theoreticalArrival) + interval }

    /// Holds the next send back until at least one interval after `time`: spaced from it, however late it came.
    public mutating func space(after time: Double) {
        theoreticalArrival = max(theoreticalArrival, time + interval)
    }

    /// Whether the key is idle at `now` (its state equals a fresh one's and can be dropped).
    public func isIdle(at now: Double) -> Bool { theoreticalArrival <= now }
}
