import HeraldModel
import Synchronization

/// Requests per second per client address (a GCRA per address, with a burst of twice the rate), so one noisy
/// or hostile client cannot starve the others. Idle addresses are forgotten.
public final class ClientRateLimiter: Sendable {
    private struct State {
        var clients: [String: GCRA] = [:]
        var lastPrune = 0.0
    }

    private let state = Mutex(State())
    private let rate: Double
    private let burst: Int

    /// `burst` requests at once, then `rate` per second (default burst: two seconds' worth).
    public init(rate: Double, burst: Int? = nil) {
        self.rate = rate
        self.burst = burst ?? Int(max(1, 2 * rate))
    }

    /// Whether a request from `client` at `seconds` (monotonic) is within its rate; counts it if so.
    public func admit(_ client: String, at seconds: Double) -> Bool {
        state.withLock { state in
            if seconds - state.lastPrune > 10 || state.clients.count > 100_000 {
                state.clients = state.clients.filter { !$0.value.isIdle(at: seconds) }
                state.lastPrune = seconds
            }
            var limiter = state.clients[client] ?? GCRA(rate: rate, burst: burst, start: seconds)
            guard limiter.earliest(at: seconds) <= seconds else { return false }
            limiter.consume(at: seconds)
            state.clients[client] = limiter
            return true
        }
    }
}
