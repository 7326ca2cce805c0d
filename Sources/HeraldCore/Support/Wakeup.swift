import Synchronization

/// Wakes one waiting loop: a signal sent while nobody waits is kept for the next wait, and says why.
///
/// The dispatcher sleeps on this until its next deadline; the intake, the reloader and finished sends signal it.
public final class Wakeup: Sendable {
    /// Why the loop was woken.
    public struct Reasons: OptionSet, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// Jobs were accepted (campaigns, messages, controls, subscriber changes).
        public static let jobs = Reasons(rawValue: 1)
        /// A send finished.
        public static let outcome = Reasons(rawValue: 2)
        /// The configuration was reloaded.
        public static let configuration = Reasons(rawValue: 4)
        /// Graceful shutdown began.
        public static let shutdown = Reasons(rawValue: 8)
    }

    private struct State {
        var pending: Reasons = []
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    public func signal(_ reasons: Reasons) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.pending.formUnion(reasons)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Returns the reasons signalled since the last wait, waiting for one until `deadline` (nil: no deadline)
    /// if there are none. Returns at once when the task is cancelled.
    public func wait<C: Clock>(until deadline: C.Instant?, clock: C) async -> Reasons {
        if let ready = take() { return ready }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.next() }
            if let deadline { group.addTask { try? await clock.sleep(until: deadline, tolerance: nil) } }
            await group.next()
            group.cancelAll()
        }
        return take() ?? []
    }

    /// The reasons signalled since the last wait, without waiting.
    public func pending() -> Reasons { take() ?? [] }

    private func take() -> Reasons? {
        state.withLock { state in
            guard !state.pending.isEmpty else { return nil }
            defer { state.pending = [] }
            return state.pending
        }
    }

    private func next() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                // Checked under the lock, so a cancellation either sees the waiter or is seen here.
                let now = state.withLock { state -> Bool in
                    if !state.pending.isEmpty || Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
