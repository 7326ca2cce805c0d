import Foundation
import Glibc
import HeraldTesting
import Testing

/// A command whose standard output is read while it runs, as `herald submit --wait x.json | cat` would show it.
final class StreamingCommand: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var output = Data()
    private var errors = Data()

    init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: heraldBinary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "HERALD_CONFIG")
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        out.fileHandleForReading.readabilityHandler = { [weak self] handle in self?.append(handle.availableData, error: false) }
        err.fileHandleForReading.readabilityHandler = { [weak self] handle in self?.append(handle.availableData, error: true) }
        try process.run()
    }

    private func append(_ data: Data, error: Bool) {
        lock.withLock { if error { errors += data } else { output += data } }
    }

    var stdout: String { lock.withLock { String(decoding: output, as: UTF8.self) } }
    var stderr: String { lock.withLock { String(decoding: errors, as: UTF8.self) } }
}

@Suite(.serialized) struct SubmitFollowTests {
    @Test func submitWait_whenPiped_printsEachStepAsItHappens_andFailuresWithTheirReasons() async throws {
        let server = try await PlatformServer.start()
        let workspace = try Workspace.withBot(on: server)
        defer { workspace.remove() }
        // Given three subscribers, one of whom has blocked the bot
        let first = try DaemonProcess(workspace)
        let importJob = #"{"type": "subscribers", "account": "shop_bot", "action": "import", "subscribers": ["801", "802", "803"]}"#
        try workspace.drop(importJob, as: "import.json")
        #expect(await waitUntil { workspace.names("done").count == 1 })
        _ = await first.stop()
        try server.script(recipient: "802", status: 403, body: #"{"ok": false, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}"#)
        let campaign = workspace.root + "/campaign.json"
        try Data(#"{"type": "campaign", "id": "followed", "account": "shop_bot", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "Hi"}]}}"#.utf8)
            .write(to: URL(fileURLWithPath: campaign))

        // When it is submitted with --wait into a pipe while no daemon runs
        let submit = try StreamingCommand(["submit", "--config", workspace.config, "--wait", "--timeout", "60", campaign])
        defer { if submit.process.isRunning { submit.process.terminate() } }
        // Then each line shows up as it happens, not when the command ends
        #expect(await waitUntil(timeout: 20) { submit.stdout.contains("waiting for the daemon to pick it up") }, "\(submit.stdout)")
        #expect(submit.process.isRunning)
        #expect(submit.stdout.hasPrefix("\(campaign): submitted as job followed to \(workspace.spool)/incoming\n"), "\(submit.stdout)")
        #expect(submit.stderr.contains("warning: no daemon is running"), "\(submit.stderr)")

        // And once a daemon runs, the campaign is followed to its end, its failure shown with its reason
        let daemon = try DaemonProcess(workspace)
        #expect(await waitUntil(timeout: 60) { !submit.process.isRunning })
        _ = await daemon.stop()
        let last = submit.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last == "\(campaign): campaign job followed: completed — 1 failed (1 Forbidden: bot was blocked by the user), 2 sent", "\(submit.stdout)")
        #expect(submit.process.terminationStatus == 0)
    }

    static let canDropPrivileges = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")

    @Test(.enabled(if: canDropPrivileges, "needs root and setpriv to run the command as another user"))
    func submitWait_byAWriterWhoCannotReadTheDatabase_saysSoOnceTheDaemonHasTheJob() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let daemon = try DaemonProcess(workspace)
        #expect(await waitUntil { ["state/herald.sqlite", "spool/incoming", "spool/tmp"].allSatisfy { FileManager.default.fileExists(atPath: workspace.root + "/" + $0) } })
        chmod(workspace.root, 0o755)
        chmod(workspace.state, 0o700)
        let job = workspace.root + "/import.json"
        try Data(#"{"type": "subscribers", "id": "imp-1", "account": "shop_bot", "action": "import", "subscribers": ["1"]}"#.utf8).write(to: URL(fileURLWithPath: job))
        chmod(job, 0o644)
        let asNobody = ["--reuid=65534", "--regid=65534", "--clear-groups", heraldBinary, "submit", "--config", workspace.config, "--wait", "--timeout", "30", job]
        // A user who may not write the spool is told what access submitting needs
        let refused = try await runCommandOffPool(asNobody, executable: "/usr/bin/setpriv")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("herald: cannot write into the spool \(workspace.spool) (Permission denied): submitting needs write access"), "\(refused.stderr)")
        // A member of the spool's group (here root's, 0, whose spool the daemon made) may write its incoming/ and tmp/ and read
        // done/ and failed/, as the daemon creates them; the state directory stays closed to it
        let asWriter = asNobody.map { $0 == "--clear-groups" ? "--groups=0" : $0 }
        let result = try await runCommandOffPool(asWriter, executable: "/usr/bin/setpriv")
        _ = await daemon.stop()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("accepted by the daemon; its progress is in \(workspace.state)/herald.sqlite, which cannot be read here (Permission denied)"), "\(result.stdout)")
        #expect(result.stdout.contains("journalctl -u herald HERALD_JOB_ID=imp-1"))
        // It could not tell whether a daemon runs, so it did not claim none does
        #expect(!result.stderr.contains("no daemon is running"), "\(result.stderr)")
    }
}
