/// When to try a failed delivery again: exponential backoff with full jitter, bounded by attempts and age.
public struct RetryPolicy: Sendable, Equatable {
    public var baseDelay: Double = 2
    public var maxDelay: Double = 600
    public var maxAttempts: Int = 8
    /// A delivery older than this (since its first attempt) fails instead of retrying.
    public var maxAge: Double = 86_400

    public init() {}

    /// The next attempt's time, or nil when the delivery should fail now.
    /// `random` is a number in [0, 1) supplied by the caller (jitter without hidden randomness).
    public func nextAttempt(attempts: Int, firstAttemptAt: Double, now: Double, suggested: Double? = nil, random: Double) -> Double? {
        guard attempts < maxAttempts else { return nil }
        let exponential = min(maxDelay, baseDelay * pow2(attempts - 1))
        // Full jitter spreads retries of a whole campaign after an outage instead of stampeding.
        var delay = exponential / 2 + exponential / 2 * random
        if let suggested { delay = max(delay, suggested) }
        let next = now + delay
        guard next - firstAttemptAt <= maxAge else { return nil }
        return next
    }

    private func pow2(_ exponent: Int) -> Double {
        var value = 1.0
        for _ in 0..<max(0, exponent) { value *= 2 }
        return value
    }
}
