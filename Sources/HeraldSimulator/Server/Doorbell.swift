import Synchronization

/// Wakes one waiting loop; a ring while nobody waits is kept for the next wait. The simulator's loops sleep on
/// it until their next deadline instead of ticking, so that an idle simulator costs nothing.
final class Doorbell: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.rung = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Returns when rung (at once if rung since the last wait), after `seconds` (nil: no limit), or when cancelled.
    func wait(seconds: Double?) async {
        if state.withLock({ state in defer { state.rung = false }; return state.rung }) { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.next() }
            if let seconds { group.addTask { try? await Task.sleep(for: .seconds(max(0, seconds))) } }
            await group.next()
            group.cancelAll()
        }
        state.withLock { $0.rung = false }
    }

    private func next() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.rung || Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { state in defer { state.waiter = nil }; return state.waiter }?.resume()
        }
    }
}
