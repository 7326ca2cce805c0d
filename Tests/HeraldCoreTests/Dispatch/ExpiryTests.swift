import Foundation
import GRDB
import HeraldCore
import HeraldTesting
import Testing

@Suite(.serialized) struct ExpiryTests {
    static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    @Test func runningCampaign_pastItsExpiry_skipsWhatIsLeftAndCompletes() async throws {
        let server = try await PlatformServer.start()
        let harness = try DaemonHarness { configuration in
            server.configure(&configuration)
            configuration.accounts["shop_bot"]?.rate = 1
        }
        defer { harness.remove() }
        try await harness.run { _ in
            try harness.drop(#"{"type": "subscribers", "account": "shop_bot", "action": "import", "subscribers": ["61", "62", "63", "64", "65"]}"#, as: "a.json")
            try await eventually { harness.names(in: .done).count == 1 }
            // At one message a second, five recipients need four seconds
            let expiry = Self.rfc3339(Date().addingTimeInterval(600))
            try harness.drop(#"{"type": "campaign", "id": "flash", "account": "shop_bot", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "Flash sale"}]}, "expires_at": ""# + expiry + #""}"#, as: "c.json")
            try await eventually(timeout: 20, "first sent") {
                try harness.query { try Int.fetchOne($0, sql: "SELECT count(*) FROM deliveries WHERE state = 'sent'") } ?? 0 >= 1
            }
            // When its expiry comes while it is being sent (moved to now, so the test does not race a clock)
            let queue = try harness.writableQueue()
            try await queue.write { try $0.execute(sql: "UPDATE campaigns SET expires_at = ?", arguments: [Int64(Date().timeIntervalSince1970 * 1000) - 1]) }
            try await eventually(timeout: 20, "campaign completed") {
                try harness.query { try String.fetchOne($0, sql: "SELECT state FROM campaigns WHERE job_id = 'flash'") } == "completed"
            }
        }
        try harness.query { (db: Database) throws in
            let sent = try Int.fetchOne(db, sql: "SELECT count(*) FROM deliveries WHERE state = 'sent'") ?? 0
            let expired = try Int.fetchOne(db, sql: "SELECT count(*) FROM deliveries WHERE state = 'skipped' AND error = 'expired'") ?? 0
            #expect(sent >= 1 && expired >= 1 && sent + expired == 5, "sent \(sent), expired \(expired)")
            #expect(try server.requests().count == sent)
        }
    }

    @Test func scheduledCampaign_pastItsExpiry_neverStarts() async throws {
        let server = try await PlatformServer.start()
        let harness = try DaemonHarness { server.configure(&$0) }
        defer { harness.remove() }
        try await harness.run { _ in
            try harness.drop(#"{"type": "subscribers", "account": "shop_bot", "action": "import", "subscribers": ["71"]}"#, as: "a.json")
            try await eventually { harness.names(in: .done).count == 1 }
            let (send, expiry) = (Self.rfc3339(Date().addingTimeInterval(3600)), Self.rfc3339(Date().addingTimeInterval(7200)))
            try harness.drop(#"{"type": "campaign", "id": "bf", "account": "shop_bot", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "Black Friday"}]}, "send_at": ""# + send + #"", "expires_at": ""# + expiry + #""}"#, as: "c.json")
            try await eventually { harness.names(in: .done).count == 2 }
            // The daemon was down through the whole window: when it looks again, both times are past
            let queue = try harness.writableQueue()
            let past = Int64(Date().timeIntervalSince1970 * 1000) - 1000
            try await queue.write { try $0.execute(sql: "UPDATE campaigns SET send_at = ?, expires_at = ?", arguments: [past - 1000, past]) }
            try harness.drop(#"{"type": "subscribers", "account": "shop_bot", "action": "tag", "subscribers": ["71"], "tags": ["x"]}"#, as: "wake.json")
            try await eventually(timeout: 10, "campaign expired") {
                try harness.query { try String.fetchOne($0, sql: "SELECT state FROM campaigns WHERE job_id = 'bf'") } == "expired"
            }
        }
        #expect(try server.requests().isEmpty)
        try harness.query { (db: Database) throws in
            #expect(try String.fetchOne(db, sql: "SELECT state FROM jobs WHERE id = 'bf'") == "expired")
        }
    }
}
