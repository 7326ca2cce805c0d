import Synchronization

/// Uniform numbers in 0..<1 for retry and backoff jitter: SplitMix64 seeded once from the system's generator.
///
/// Jitter needs no secrecy, and the system generator is a getrandom(2) call per number: one per answer in a
/// campaign's profile.
public final class JitterSource: Sendable {
    private let state: Mutex<UInt64>

    public init(seed: UInt64 = UInt64.random(in: 0...UInt64.max)) {
        state = Mutex(seed)
    }

    /// The next number in 0..<1.
    public func next() -> Double {
        let value = state.withLock { state -> UInt64 in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        // The top 53 bits: every double in 0..<1 a multiple of 2^-53, each equally likely.
        return Double(value >> 11) * 0x1.0p-53
    }
}
