/// When to try a failed delivery again, like Postfix's deferred queue: a backoff that doubles from `baseDelay`
/// up to `maxDelay`, jittered, for as long as the delivery is younger than `maxAge` (since its first attempt).
///
/// No attempt count is the bound: an outage of hours costs attempts, not deliveries.
public struct RetryPolicy: Sendable, Equatable {
    public var baseDelay: Double = 5
    public var maxDelay: Double = 3600
    /// A delivery whose first attempt is this old fails at its next failure instead of retrying.
    public var maxAge: Double = 86_400

    public init(baseDelay: Double = 5, maxDelay: Double = 3600, maxAge: Double = 86_400) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxAge = maxAge
    }

    /// The next attempt's time after failed attempt number `attempts`, or nil when the delivery should fail now.
    /// `random` is a number in [0, 1) supplied by the caller (jitter without hidden randomness); `suggested`
    /// is a delay the platform asked for.
    public func nextAttempt(attempts: Int, firstAttemptAt: Double, now: Double, suggested: Double? = nil, random: Double) -> Double? {
        let deadline = firstAttemptAt + maxAge
        guard now < deadline else { return nil }
        let exponential = min(maxDelay, baseDelay * pow2(attempts - 1))
        // Jitter in [½, 1) of the step spreads a whole campaign's retries after an outage instead of stampeding.
        var delay = exponential / 2 + exponential / 2 * random
        if let suggested { delay = max(delay, suggested) }
        // The last try falls on the deadline itself, so a delivery gets its full horizon.
        return min(now + delay, deadline)
    }

    private func pow2(_ exponent: Int) -> Double {
        var value = 1.0
        for _ in 0..<min(max(0, exponent), 62) { value *= 2 }
        return value
    }
}
