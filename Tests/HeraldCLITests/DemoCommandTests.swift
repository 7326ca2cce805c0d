import Foundation
import GRDB
import Testing

struct DemoCommandTests {
    @Test func demo_runsEndToEnd_andItsFunnelsAreTheLedgers() async throws {
        // Given a directory to keep, When the demo runs with a small population
        let keep = FileManager.default.temporaryDirectory.appendingPathComponent("herald-demo-test-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: keep) }
        let result = try await runCommandOffPool(["demo", "--people", "20", "--schedule-in", "2", "--keep", keep], timeout: 120)

        // Then it succeeds within the budget, and every campaign completed with nothing left pending
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("Platform limits: no call over any limit"))
        let database = try DatabaseQueue(path: keep + "/state/herald.sqlite")
        let states = try await database.read { try [String: String](uniqueKeysWithValues: Row.fetchAll($0, sql: "SELECT job_id, state FROM campaigns WHERE kind = 'campaign'").map { ($0["job_id"], $0["state"]) }) }
        #expect(states == ["spring-sale-2026-telegram": "completed", "new-arrivals-messenger": "completed", "demo-scheduled-video": "completed"])
        let open = try await database.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM deliveries WHERE state IN ('pending', 'sending', 'uncertain')") }
        #expect(open == 0)

        // And each printed funnel says what the ledger says
        for job in states.keys {
            let sent = try await database.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id WHERE c.job_id = ? AND d.state = 'sent'", arguments: [job]) } ?? -1
            #expect(sent > 0)
            let block = result.stdout.components(separatedBy: "[\(job) on").dropFirst().first ?? ""
            #expect(try block.contains(Regex("\n  sent +\(sent) ")), "funnel of \(job) does not show \(sent) sent:\n\(block)")
        }
        // Messenger reports reads through signed webhooks Herald verified; Telegram's read is n/a, never 0
        let reads = try await database.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM events e JOIN campaigns c ON c.id = e.campaign_id WHERE c.job_id = 'new-arrivals-messenger' AND e.kind = 'read'") } ?? 0
        #expect(reads > 0)
        let telegramBlock = result.stdout.components(separatedBy: "[spring-sale-2026-telegram on").dropFirst().first ?? ""
        #expect(telegramBlock.contains(#/\n  read +n\/a/#))
        // People subscribed through the growth sources, which the audience report names
        let sources = try await database.read { try Set(String.fetchAll($0, sql: "SELECT DISTINCT source FROM subscribers")) }
        #expect(sources.isSuperset(of: ["website_button", "qr_code", "popup_form", "facebook_page_button", "facebook_page_image"]))
        #expect(FileManager.default.fileExists(atPath: keep + "/herald.log"))
    }

    @Test func demo_withBadOptions_saysWhatIsWrong() throws {
        let result = try runCommand(["demo", "--people", "1"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--people must be between 5 and 2000"))
    }
}
