import Foundation
import HeraldCore
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@Suite struct WatchdogTests {
    /// Messages the watchdog sent, captured at the notifier's seam.
    final class Capture: Sendable {
        let messages = Mutex<[String]>([])
        var all: [String] { messages.withLock { $0 } }
        func count(_ prefix: String, from start: Int = 0) -> Int { all.dropFirst(start).filter { $0.hasPrefix(prefix) }.count }
    }

    final class Flag: Sendable {
        let state = Mutex(true)
        var value: Bool { state.withLock { $0 } }
        func set(_ value: Bool) { state.withLock { $0 = value } }
    }

    @Test func watchdog_whenTheDispatcherLoopStalls_withholdsPings_andResumesWhenItBeatsAgain() async throws {
        let capture = Capture()
        let status = DaemonStatus()
        let dispatcherBeats = Flag()
        let watchdog = WatchdogService(
            notifier: SystemdNotifier(capturingInto: { message in capture.messages.withLock { $0.append(message) } }),
            status: status, clock: ContinuousClock(), logger: Logger(label: "test"), interval: .milliseconds(400), statusPeriod: .seconds(5)
        )
        let group = ServiceGroup(services: [watchdog], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // Both loops beat; the intake loop keeps beating throughout
            tasks.addTask {
                while !Task.isCancelled {
                    status.beat(.intake)
                    if dispatcherBeats.value { status.beat(.dispatcher) }
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            // Generous timeouts: synchronous tests elsewhere in the suite can hold the cooperative threads for seconds.
            try await eventually(timeout: 60, "a ping while both loops beat") { capture.count("WATCHDOG=1") >= 1 }
            // When the dispatcher loop stops beating, at most the ping already due comes, then none
            dispatcherBeats.set(false)
            let stalledAt = capture.all.count
            try await eventually(timeout: 60, "six periods stalled") { capture.count("STATUS=", from: stalledAt) >= 6 }
            // (a beat already under way when the flag changed may earn one more)
            #expect(capture.count("WATCHDOG=1", from: stalledAt) <= 2, "\(capture.all)")
            #expect(status.stalledLoops(within: .milliseconds(200)).contains(.dispatcher))
            // When it beats again, the pings come back
            dispatcherBeats.set(true)
            let resumedAt = capture.all.count
            try await eventually(timeout: 60, "pings again") { capture.count("WATCHDOG=1", from: resumedAt) >= 2 }
            await group.triggerGracefulShutdown()
            tasks.cancelAll()
            while let _ = try? await tasks.next() {}
        }
        #expect(capture.all.last?.hasPrefix("STOPPING=1") == true)
    }

    @Test func daemon_bothLoopsBeat_evenWhenIdle() async throws {
        let harness = try DaemonHarness()
        defer { harness.remove() }
        try await harness.run { parts in
            try await eventually(timeout: 60, "both loops beat") { parts.status.isAlive(within: .seconds(2)) }
            // Idle, with nothing to send and no campaign scheduled, the dispatcher still beats every second
            let before = parts.status.beats(.dispatcher)
            try await eventually(timeout: 60, "idle dispatcher beats") { parts.status.beats(.dispatcher) >= before + 3 }
        }
    }
}
