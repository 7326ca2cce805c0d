/// A run of failures of one kind of work (writes refused by a full disk, say): when to try again, and whether
/// a failure or a success is news worth one log line. Logging per change, not per try, keeps a stuck daemon's
/// journal readable.
public struct FailureStreak: Sendable, Equatable {
    public private(set) var failures = 0
    /// Retries start `base` seconds apart and double up to `cap`.
    public var base: Double
    public var cap: Double

    public init(base: Double = 0.5, cap: Double = 30) {
        self.base = base
        self.cap = cap
    }

    public var isFailing: Bool { failures > 0 }

    /// Counts a failure; returns the delay before the next try and whether this failure began the run.
    public mutating func failed() -> (retryIn: Double, isNew: Bool) {
        failures += 1
        var delay = base
        for _ in 1..<min(failures, 40) where delay < cap { delay *= 2 }
        return (min(delay, cap), failures == 1)
    }

    /// Ends the run; returns whether there was one (and how many failures it had).
    public mutating func succeeded() -> Int? {
        defer { failures = 0 }
        return failures > 0 ? failures : nil
    }
}
