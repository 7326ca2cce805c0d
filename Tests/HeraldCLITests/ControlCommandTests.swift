import Foundation
import Glibc
import HeraldTesting
import Testing

/// `herald pause`, `resume` and `cancel` write control jobs through the spool and report what the daemon did.
struct ControlCommandTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "needs sqlite3"))
    func pauseResumeCancel_goThroughTheSpool_andSayWhatHappened() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let daemon = try DaemonProcess(workspace)
        defer { daemon.signal(SIGKILL) }
        func campaignState() async throws -> String {
            try await runCommandOffPool(["sqlite3", workspace.state + "/herald.sqlite", "SELECT state FROM campaigns WHERE job_id = 'later'"], executable: "/usr/bin/env")
                .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        // Given a campaign scheduled for tomorrow
        let tomorrow = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
        let job = #"{"type": "campaign", "id": "later", "account": "shop_bot", "audience": {"all": true}, "send_at": ""# + tomorrow + #"", "message": {"modules": [{"type": "text", "text": "x"}]}}"#
        try workspace.drop(job, as: "later.json")
        #expect(await eventually(timeout: 20) { (try? await campaignState()) == "scheduled" })

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
        #expect(try await campaignState() == "paused")
        let resume = try await runCommandOffPool(["resume", "later", "--config", workspace.config])
        #expect(resume.status == 0, "\(resume.stdout)\(resume.stderr)")
        #expect(try await campaignState() == "scheduled")
        let cancel = try await runCommandOffPool(["cancel", "later", "--config", workspace.config])
        #expect(cancel.status == 0, "\(cancel.stdout)\(cancel.stderr)")
        #expect(try await campaignState() == "cancelled")

        // And a control of a finished campaign is refused, saying why
        let again = try await runCommandOffPool(["pause", "later", "--config", workspace.config])
        #expect(again.status == 1)
        #expect((again.stdout + again.stderr).contains(#"rejected: job: job "later" is already cancelled"#), "\(again.stdout)\(again.stderr)")
        // A campaign due now on the account without a token waits: herald queue shows it in its first column
        let importJob = #"{"type": "subscribers", "account": "shop_bot", "action": "import", "subscribers": ["11", "12", "13"]}"#
        try workspace.drop(importJob, as: "import.json")
        try workspace.drop(#"{"type": "campaign", "id": "now", "account": "shop_bot", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "x"}]}}"#, as: "now.json")
        var shape = ""
        #expect(await eventually(timeout: 20) {
            shape = (try? await runCommandOffPool(["queue", "--config", workspace.config]).stdout) ?? ""
            return shape.contains("shop_bot")
        }, "\(shape)")
        let row = shape.split(separator: "\n").first { $0.hasPrefix("shop_bot") }?.split(separator: " ").map(String.init)
        #expect(row?.prefix(3) == ["shop_bot", "3", "3"], "\(shape)")
        _ = await daemon.stop()
        let stopped = try await runCommandOffPool(["status", "--config", workspace.config])
        #expect(stopped.stdout.contains("daemon: not running on \(workspace.state)"), "\(stopped.stdout)")
        #expect(stopped.stdout.contains("now on shop_bot: running"), "\(stopped.stdout)")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "needs sqlite3"))
    func retry_putsFailuresBack_keepsTheirHistory_andNeverRetriesWhoBlockedTheBot() async throws {
        let server = try await PlatformServer.start()
        let workspace = try Workspace.withBot(on: server)
        defer { workspace.remove() }
        let daemon = try DaemonProcess(workspace)
        defer { daemon.signal(SIGKILL) }
        func sql(_ query: String) async throws -> String {
            try await runCommandOffPool(["sqlite3", workspace.state + "/herald.sqlite", query], executable: "/usr/bin/env").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        // Given a completed campaign with one failure worth retrying and one subscriber who blocked the bot
        try server.script(recipient: "902", status: 400, body: #"{"ok": false, "error_code": 400, "description": "Bad Request: message to be replied not found"}"#)
        try server.script(recipient: "903", status: 403, body: #"{"ok": false, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}"#)
        try workspace.drop(#"{"type": "subscribers", "account": "shop_bot", "action": "import", "subscribers": ["901", "902", "903"]}"#, as: "import.json")
        #expect(await waitUntil { workspace.names("done").count == 1 })
        try workspace.drop(#"{"type": "campaign", "id": "flaky", "account": "shop_bot", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "Hi"}]}}"#, as: "flaky.json")
        #expect(await eventually(timeout: 30) { (try? await sql("SELECT state FROM campaigns WHERE job_id = 'flaky'")) == "completed" })
        #expect(try await sql("SELECT group_concat(state, ',') FROM (SELECT state FROM deliveries ORDER BY id)") == "sent,failed,failed")

        // When its failures are retried from the command line
        let retry = try await runCommandOffPool(["retry", "flaky", "--config", workspace.config])
        #expect(retry.status == 0, "\(retry.stdout)\(retry.stderr)")
        #expect(retry.stdout.contains("retry flaky: retry job retry-"), "\(retry.stdout)")
        #expect(retry.stdout.contains("completed — 1 failed delivery of 1 campaign due again (flaky)"), "\(retry.stdout)")

        // Then the campaign runs again and completes, the retried delivery sent, the blocked subscriber left alone
        #expect(await eventually(timeout: 30) {
            (try? await sql("SELECT c.state || ':' || (SELECT count(*) FROM deliveries WHERE state = 'sent') FROM campaigns c WHERE job_id = 'flaky'")) == "completed:2"
        })
        #expect(try await sql("SELECT group_concat(state, ',') FROM (SELECT state FROM deliveries ORDER BY id)") == "sent,sent,failed")
        // The report's figures followed the failure, the retry and the send, as a rebuild from the raw rows finds them
        let kept = try await runCommandOffPool(["report", "flaky", "--format", "json", "--config", workspace.config])
        #expect(kept.stdout.contains(#""sent":2"#) && kept.stdout.contains(#""failed":{"Forbidden: bot was blocked by the user":1}"#), "\(kept.stdout)")
        let rebuilt = try await runCommandOffPool(["report", "flaky", "--format", "json", "--rebuild", "--config", workspace.config])
        #expect(rebuilt.stdout == kept.stdout)
        let chats = try server.requests().compactMap { request in
            request.body.range(of: #""chat_id":"#).map { range in String(request.body[range.upperBound...].prefix(while: \.isNumber)) }
        }
        #expect(chats.sorted() == ["901", "902", "902", "903"], "\(chats)")
        // And the history keeps the failure, its reason, and the requeue after it; the send that followed is the row's
        #expect(try await sql("""
            SELECT group_concat(kind || ':' || coalesce(json_extract(detail, '$.reason'), ''), ' > ') FROM (SELECT kind, detail FROM events e JOIN subscribers s ON s.id = e.subscriber_id
            WHERE s.platform_id = '902' AND e.kind IN ('sent', 'failed', 'requeued') ORDER BY e.id)
            """) == "failed:Bad Request: message to be replied not found > requeued:Bad Request: message to be replied not found")
        #expect(try await sql("""
            SELECT d.state || ' ' || (d.sent_at > (SELECT max(e.at) FROM events e WHERE e.delivery_id = d.id)) FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id WHERE s.platform_id = '902'
            """) == "sent 1")
        // A second retry has nothing left to do (the blocked subscriber is never retried); a cancelled campaign is refused
        let again = try await runCommandOffPool(["retry", "--failed-since", "1h", "--config", workspace.config])
        #expect(again.stdout.contains("nothing to retry: no failed deliveries to subscribers still subscribed"), "\(again.stdout)")
        let unknown = try await runCommandOffPool(["retry", "nope", "--config", workspace.config])
        #expect(unknown.status == 1)
        #expect(unknown.stdout.contains(#"rejected: job: no job with id "nope""#), "\(unknown.stdout)")
        let nothing = try await runCommandOffPool(["retry", "--config", workspace.config])
        #expect(nothing.status != 0)
        #expect(nothing.stderr.contains("name a campaign, --failed-since TIME, or both"), "\(nothing.stderr)")
        _ = await daemon.stop()
    }

    @Test(arguments: [
        [], ["run"], ["submit"], ["validate"], ["config"], ["config", "check"], ["telegram"], ["telegram", "set-webhook"], ["telegram", "delete-webhook"],
        ["telegram", "webhook-info"], ["links"], ["sim"], ["demo"], ["report"], ["subscribers"], ["subscribers", "summary"], ["subscribers", "show"],
        ["status"], ["queue"], ["pause"], ["resume"], ["cancel"], ["retry"], ["preview"], ["test-send"], ["reload"], ["backup"],
        ["feeds"], ["feed"], ["feed", "run"], ["feed", "preview"], ["growth"], ["growth", "list"], ["growth", "snippet"], ["growth", "image"],
    ])
    func everyCommandsHelp_showsAnExample(command: [String]) async throws {
        let result = try await runCommandOffPool(command + ["--help"])
        #expect(result.status == 0, "\(result.stderr)")
        let help = result.stdout.lowercased()
        #expect(help.contains("example:") || help.contains("examples:"), "herald \(command.joined(separator: " ")) --help:\n\(result.stdout)")
        #expect(result.stdout.contains("herald " + (command.first ?? "")), "\(result.stdout)")
    }

    @Test func version_isPrinted() async throws {
        let result = try await runCommandOffPool(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("herald 0.1.0"))
    }
}
