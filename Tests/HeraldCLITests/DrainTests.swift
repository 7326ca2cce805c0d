import Foundation
import Glibc
import HeraldTesting
import Testing

@Suite(.serialized) struct DrainTests {
    func sql(_ database: String, _ query: String) async throws -> String {
        try await runCommandOffPool(["sqlite3", database, query], executable: "/usr/bin/env").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "needs sqlite3"))
    func sigterm_withAFrozenPlatform_exitsWithinTheBudget_andRecordsWhatWasInFlight() async throws {
        // A platform that takes requests and never answers
        let server = try await PlatformServer.start(arguments: ["--latency-ms", "600000"])
        let workspace = try Workspace(accounts: "")
        defer { workspace.remove() }
        try workspace.configureBot(baseURL: server.baseURL, token: PlatformServer.telegramToken, extra: "rate = 5", top: "drain_timeout_seconds = 2")
        let database = workspace.state + "/herald.sqlite"
        let listener = try NotifyListener()
        let daemon = try #require(try await DaemonProcess.startReady(workspace, listener: listener))
        let ids = (1...20).map { "\"\(800_000 + $0)\"" }.joined(separator: ",")
        try workspace.drop(#"{"type": "subscribers", "account": "shop_bot", "action": "import", "subscribers": ["# + ids + "]}", as: "a.json")
        #expect(await waitUntil { workspace.names("done").count == 1 })
        try workspace.drop(#"{"type": "campaign", "id": "c", "account": "shop_bot", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "x"}]}}"#, as: "c.json")
        // Given calls hanging at the platform
        #expect(await eventually(timeout: 20) { (Int((try? await sql(database, "SELECT count(*) FROM deliveries WHERE state = 'sending'")) ?? "") ?? 0) >= 3 })
        // When SIGTERM comes with a 2 s drain budget
        let started = Date()
        let (status, log) = await daemon.stop(timeout: 20)
        let took = Date().timeIntervalSince(started)
        // Then the daemon is gone within the budget and a second, having written down what was in flight
        #expect(status == 0, "\(log)")
        #expect(took < 3.0, "took \(took) s for a 2 s budget")
        #expect(log.contains("draining: "), "\(log)")
        #expect(try await sql(database, "SELECT count(*) FROM deliveries WHERE state = 'sending'") == "0")
        // The calls that were out may have reached the platform: uncertain and flagged (of the 3 or more marked,
        // at most one was still waiting for its slot, 50 ms ahead at 5/s, and went back to pending unsent)
        let uncertain = Int(try await sql(database, "SELECT count(*) FROM deliveries WHERE state = 'uncertain' AND possible_duplicate = 1")) ?? 0
        #expect(uncertain >= 2, "\(uncertain) flagged")
        #expect(try await sql(database, "SELECT count(*) FROM deliveries WHERE state = 'uncertain' AND possible_duplicate = 0") == "0")
        #expect(try await sql(database, "SELECT count(*) FROM deliveries WHERE state IN ('pending', 'uncertain')") == "20")
    }
}
