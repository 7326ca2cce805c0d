import Foundation
import Glibc
import HeraldTesting
import Testing

/// getUpdates long polling across kill -9: every update acted on exactly once.
@Suite struct PollingCrashTests {
    func sql(_ database: String, _ query: String) async throws -> String {
        try await runCommandOffPool(["sqlite3", database, query], executable: "/usr/bin/env").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "needs sqlite3"))
    func kill9_whilePolling_losesNoUpdate_andRepeatsNone() async throws {
        let server = try await PlatformServer.start()
        let workspace = try Workspace(accounts: "")
        defer { workspace.remove() }
        try workspace.configureBot(baseURL: server.baseURL, token: PlatformServer.telegramToken)
        let database = workspace.state + "/herald.sqlite"
        func updates(_ range: ClosedRange<Int>) -> String {
            "[" + range.map { id in
                #"{"update_id":\#(id),"message":{"message_id":\#(id),"from":{"id":\#(600_000 + id),"is_bot":false,"first_name":"P\#(id)"},"chat":{"id":\#(600_000 + id),"type":"private"},"date":1700000000,"text":"/start qr_code"}}"#
            }.joined(separator: ",") + "]"
        }
        try server.pushUpdates(updates(1...1000))
        var daemon = try DaemonProcess(workspace)
        #expect(await eventually(timeout: 30) { (Int((try? await sql(database, "SELECT count(*) FROM subscribers")) ?? "") ?? 0) >= 100 })
        _ = await daemon.stop(signal: SIGKILL)
        let before = Int(try await sql(database, "SELECT count(*) FROM subscribers")) ?? 0
        try server.pushUpdates(updates(1001...1200))
        daemon = try DaemonProcess(workspace)
        #expect(await eventually(timeout: 60) { (try? await sql(database, "SELECT count(*) FROM subscribers")) == "1200" })
        _ = await daemon.stop()
        #expect(try await sql(database, "SELECT count(*) FROM events WHERE kind = 'subscribed'") == "1200")
        #expect(try await sql(database, "SELECT count(DISTINCT key) || ' ' || count(*) FROM inbound_seen") == "1200 1200")
        #expect(try await sql(database, "SELECT next_offset FROM telegram_offsets") == "1201")
        #expect(try await sql(database, "SELECT count(*) FROM inbound WHERE processed_at IS NULL") == "0")
        print("polling crash test: \(before) subscribed before the kill, 1200 after, none twice")
    }
}
