import Foundation
import Glibc
import HeraldTesting
import Testing

@Suite(.serialized) struct CrashRecoveryTests {
    /// Runs a query with the sqlite3 command-line tool.
    func sql(_ database: String, _ query: String) throws -> String {
        try runCommand(["sqlite3", database, query], executable: "/usr/bin/env").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "needs sqlite3"))
    func kill9_midCampaign_restartSkipsNobodyAndRepeatsOnlyWhatWasInFlight() async throws {
        let server = try PlatformServer(arguments: ["--latency-ms", "20"])
        let workspace = try Workspace(accounts: "")
        defer { workspace.remove() }
        try workspace.configureBot(baseURL: server.baseURL, token: PlatformServer.telegramToken, extra: "paid_broadcast = true\nrate = 400\n[dispatch]\nuncertain_retry_seconds = 3")
        let ids = (1...1500).map { "\(700_000 + $0)" }
        let importJob = #"{"type": "subscribers", "account": "shop_bot", "action": "import", "subscribers": ["# + ids.map { "\"\($0)\"" }.joined(separator: ",") + "]}"
        let campaign = #"{"type": "campaign", "id": "big", "account": "shop_bot", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "Hi {{platform_id}}"}]}, "options": {"paid_broadcast": true}}"#
        let database = workspace.state + "/herald.sqlite"

        // Given a campaign in full flow…
        var daemon = try DaemonProcess(workspace)
        try FileManager.default.createDirectory(atPath: workspace.spool + "/incoming", withIntermediateDirectories: true)
        try Data(importJob.utf8).write(to: URL(fileURLWithPath: workspace.spool + "/incoming/import.json"))
        #expect(await waitUntil { workspace.names("done").count == 1 })
        try Data(campaign.utf8).write(to: URL(fileURLWithPath: workspace.spool + "/incoming/campaign.json"))
        #expect(await waitUntil(timeout: 30) { ((try? server.requests().count) ?? 0) >= 400 })
        // …when the daemon is killed without warning
        _ = await daemon.stop(signal: SIGKILL)
        let inFlightAtKill = Int(try sql(database, "SELECT count(*) FROM deliveries WHERE state = 'sending'")) ?? -1
        // Then a restart finishes the campaign
        daemon = try DaemonProcess(workspace)
        #expect(await waitUntil(timeout: 60) { (try? sql(database, "SELECT state FROM campaigns WHERE job_id = 'big'")) == "completed" })
        _ = await daemon.stop()

        let requests = try server.requests()
        var perChat: [String: Int] = [:]
        for request in requests {
            guard let range = request.body.range(of: #""chat_id":"#) else { continue }
            let chat = request.body[range.upperBound...].prefix { $0.isNumber }
            perChat[String(chat), default: 0] += 1
        }
        // Nobody skipped: every subscriber got the message
        #expect(perChat.count == 1500)
        #expect(try sql(database, "SELECT count(*) FROM deliveries WHERE state = 'sent'") == "1500")
        // Repeats only among deliveries that were in flight at the kill, and each is flagged
        let repeated = perChat.values.filter { $0 > 1 }.count
        let flagged = Int(try sql(database, "SELECT count(*) FROM deliveries WHERE possible_duplicate = 1")) ?? -1
        #expect(repeated <= inFlightAtKill, "repeated \(repeated), in flight \(inFlightAtKill)")
        #expect(flagged == inFlightAtKill)
        #expect(perChat.values.allSatisfy { $0 <= 2 })
        // And none of them went out again before uncertain_retry_seconds had passed since the restart marked it
        let earliestResend = try sql(database, """
            SELECT min(s.at - u.at) FROM events u JOIN events s ON s.delivery_id = u.delivery_id AND s.kind = 'sent' WHERE u.kind = 'uncertain'
            """)
        #expect(inFlightAtKill == 0 || (Int(earliestResend) ?? 0) >= 3000, "an uncertain delivery was resent \(earliestResend) ms after the restart")
        #expect(try sql(database, "PRAGMA integrity_check") == "ok")
        print("crash test: \(requests.count) requests, \(inFlightAtKill) in flight at the kill, \(repeated) repeated")
    }

    @Test func rateLimits_holdWithZero429sAgainstAnEnforcingServer() async throws {
        let server = try PlatformServer(arguments: ["--enforce-limits"])
        let workspace = try Workspace(accounts: "")
        defer { workspace.remove() }
        try workspace.configureBot(baseURL: server.baseURL, token: PlatformServer.telegramToken)
        // 60 private chats and one group, two modules each: the bot limit (30/s), the per-chat limit (1/s)
        // and the group limit (20/min) all bind
        let ids = (1...60).map { "\(800_000 + $0)" } + ["-1001234567890"]
        let importJob = #"{"type": "subscribers", "account": "shop_bot", "action": "import", "subscribers": ["# + ids.map { "\"\($0)\"" }.joined(separator: ",") + "]}"
        let campaign = #"{"type": "campaign", "id": "limited", "account": "shop_bot", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "one"}, {"type": "text", "text": "two"}]}}"#
        let daemon = try DaemonProcess(workspace)
        try FileManager.default.createDirectory(atPath: workspace.spool + "/incoming", withIntermediateDirectories: true)
        try Data(importJob.utf8).write(to: URL(fileURLWithPath: workspace.spool + "/incoming/import.json"))
        #expect(await waitUntil { workspace.names("done").count == 1 })
        let start = Date()
        // With the other core busy for the whole campaign, as a loaded server's would be
        let burner = CoreBurner()
        try Data(campaign.utf8).write(to: URL(fileURLWithPath: workspace.spool + "/incoming/campaign.json"))
        #expect(await waitUntil(timeout: 60) { ((try? server.requests().count) ?? 0) >= 122 })
        burner.stop()
        let elapsed = Date().timeIntervalSince(start)
        let (_, log) = await daemon.stop()
        // 122 calls at 30/s need at least 4 s; the per-chat gap makes each chat's second call wait a second, and
        // must not hold the other chats back (a second part once booked the bot's schedule: 30 s in all)
        #expect(elapsed >= 4 && elapsed < 15, "took \(elapsed) s")
        #expect(!log.contains("rate limited"), "the server had to push back: \(log)")
        #expect(try server.requests().count == 122)
    }
}
