import Foundation
import Glibc
import Testing

/// `herald pause`, `resume` and `cancel` write control jobs through the spool and report what the daemon did.
struct ControlCommandTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "needs sqlite3"))
    func pauseResumeCancel_goThroughTheSpool_andSayWhatHappened() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let daemon = try DaemonProcess(workspace)
        defer { daemon.signal(SIGKILL) }
        func campaignState() throws -> String {
            try runCommand(["sqlite3", workspace.state + "/herald.sqlite", "SELECT state FROM campaigns WHERE job_id = 'later'"], executable: "/usr/bin/env")
                .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        // Given a campaign scheduled for tomorrow
        let tomorrow = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
        let job = #"{"type": "campaign", "id": "later", "account": "shop_bot", "audience": {"all": true}, "send_at": ""# + tomorrow + #"", "message": {"modules": [{"type": "text", "text": "x"}]}}"#
        try FileManager.default.createDirectory(atPath: workspace.spool + "/incoming", withIntermediateDirectories: true)
        try Data(job.utf8).write(to: URL(fileURLWithPath: workspace.spool + "/incoming/later.json"))
        #expect(await waitUntil(timeout: 20) { (try? campaignState()) == "scheduled" })

        // herald status sees the daemon by its lock, the accounts and the scheduled campaign
        let status = try await runCommandOffPool(["status", "--config", workspace.config])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("daemon: running (PID \(daemon.process.processIdentifier))"), "\(status.stdout)")
        #expect(status.stdout.contains("shop_bot: telegram, 30/s, NO TOKEN: jobs queue, nothing is sent"), "\(status.stdout)")
        #expect(status.stdout.contains("later on shop_bot: scheduled (due "), "\(status.stdout)")

        // and nothing waits to be sent yet: the audience is expanded when it is due
        let queue = try await runCommandOffPool(["queue", "--config", workspace.config])
        #expect(queue.status == 0, "\(queue.stderr)")
        #expect(queue.stdout == "Nothing waits to be sent.\n", "\(queue.stdout)")

        // When it is paused, resumed and cancelled from the command line, Then each takes effect
        let pause = try await runCommandOffPool(["pause", "later", "--config", workspace.config])
        #expect(pause.status == 0, "\(pause.stdout)\(pause.stderr)")
        #expect(pause.stdout.contains("pause later: submitted as job pause-"))
        #expect(try campaignState() == "paused")
        let resume = try await runCommandOffPool(["resume", "later", "--config", workspace.config])
        #expect(resume.status == 0, "\(resume.stdout)\(resume.stderr)")
        #expect(try campaignState() == "scheduled")
        let cancel = try await runCommandOffPool(["cancel", "later", "--config", workspace.config])
        #expect(cancel.status == 0, "\(cancel.stdout)\(cancel.stderr)")
        #expect(try campaignState() == "cancelled")

        // And a control of a finished campaign is refused, saying why
        let again = try await runCommandOffPool(["pause", "later", "--config", workspace.config])
        #expect(again.status == 1)
        #expect((again.stdout + again.stderr).contains(#"rejected: job: job "later" is already cancelled"#), "\(again.stdout)\(again.stderr)")
        // A campaign due now on the account without a token waits: herald queue shows it in its first column
        let importJob = #"{"type": "subscribers", "account": "shop_bot", "action": "import", "subscribers": ["11", "12", "13"]}"#
        try Data(importJob.utf8).write(to: URL(fileURLWithPath: workspace.spool + "/incoming/import.json"))
        try Data(#"{"type": "campaign", "id": "now", "account": "shop_bot", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "x"}]}}"#.utf8)
            .write(to: URL(fileURLWithPath: workspace.spool + "/incoming/now.json"))
        var shape = ""
        #expect(await waitUntil(timeout: 20) {
            shape = (try? runCommand(["queue", "--config", workspace.config]).stdout) ?? ""
            return shape.contains("shop_bot")
        }, "\(shape)")
        let row = shape.split(separator: "\n").first { $0.hasPrefix("shop_bot") }?.split(separator: " ").map(String.init)
        #expect(row?.prefix(3) == ["shop_bot", "3", "3"], "\(shape)")
        _ = await daemon.stop()
        let stopped = try await runCommandOffPool(["status", "--config", workspace.config])
        #expect(stopped.stdout.contains("daemon: not running on \(workspace.state)"), "\(stopped.stdout)")
        #expect(stopped.stdout.contains("now on shop_bot: running"), "\(stopped.stdout)")
    }

    @Test func version_isPrinted() throws {
        let result = try runCommand(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("herald 0.1.0"))
    }
}
