import Synchronization

/// Wakes the loops waiting on it; a ring while nobody waits is kept for the next wait. The simulator's loops (and
/// concurrent long polls, which share one bell) sleep on it until their next deadline instead of ticking, so that
/// an idle simulator costs nothing.
final class Doorbell: Sendable {
    private struct State {
        var rung = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())

    /// How many wait now (for tests).
    var waiting: Int { state.withLock { $0.waiters.count } }

    func ring() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.rung = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
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
        // Each waiter under its own key: two waiting at once (two long polls) must not drop one's continuation.
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.rung || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
