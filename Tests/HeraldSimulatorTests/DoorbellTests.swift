@testable import HeraldSimulator
import Synchronization
import Testing

/// Two loops (two long polls) waiting on one bell: a ring wakes both, and neither is left suspended.
@Suite struct DoorbellTests {
    @Test func aRing_wakesEveryWaiter() async {
        let bell = Doorbell()
        let woken = Woken()
        let started = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    await bell.wait(seconds: 60)
                    woken.count.withLock { $0 += 1 }
                }
            }
            // Both registered before the one ring that must wake them.
            let deadline = ContinuousClock.now + .seconds(5)
            while bell.waiting < 2, ContinuousClock.now < deadline { await Task.yield() }
            #expect(bell.waiting == 2)
            bell.ring()
        }
        #expect(woken.count.withLock { $0 } == 2)
        // Woken by the ring, not by their 60 s limit (a bell with one waiter slot dropped the first one's continuation).
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    final class Woken: Sendable {
        let count = Mutex(0)
    }
}
