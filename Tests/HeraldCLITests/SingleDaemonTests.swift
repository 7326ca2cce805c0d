import Foundation
import Glibc
import Testing

@Suite(.serialized) struct SingleDaemonTests {
    @Test func run_whenAnotherDaemonHoldsTheStateDirectory_exitsNamingItsPID() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let listener = try NotifyListener()
        // Given a daemon running on the workspace's state directory
        let first = try #require(try await DaemonProcess.startReady(workspace, listener: listener))
        // When a second one starts on the same state directory
        let second = try await runCommandOffPool(["run", "--config", workspace.config], environment: ["HERALD_LOG_TARGET": "console"], timeout: 20)
        // Then it exits at once, naming the PID that holds the lock, and the first keeps running
        #expect(second.status == 1)
        #expect(second.stderr.contains("herald (PID \(first.process.processIdentifier)) is already running on this state directory"), "\(second.stderr)")
        #expect(first.process.isRunning)
        #expect(await first.stop().status == 0)
        // And once the first has stopped, a new daemon starts
        let third = try #require(try await DaemonProcess.startReady(workspace, listener: listener))
        #expect(await third.stop().status == 0)
    }

    @Test func run_whenTheFirstDaemonWasKilled_startsAgain() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let listener = try NotifyListener()
        let first = try #require(try await DaemonProcess.startReady(workspace, listener: listener))
        _ = await first.stop(signal: SIGKILL)
        // The lock file stays behind, but the kernel released the lock with the process
        #expect(FileManager.default.fileExists(atPath: workspace.state + "/herald.lock"))
        let second = try #require(try await DaemonProcess.startReady(workspace, listener: listener))
        #expect(await second.stop().status == 0)
    }

    @Test func run_whenLogTargetIsUnknown_failsWithTheValidValues() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let result = try await runCommandOffPool(["run", "--config", workspace.config], environment: ["HERALD_LOG_TARGET": "syslog"], timeout: 20)
        #expect(result.status != 0)
        #expect(result.stderr.contains("HERALD_LOG_TARGET=syslog is not a log target; use journal or console"), "\(result.stderr)")
    }
}
