import Foundation
import GRDB
import HeraldCore
import HeraldTesting
import Testing

/// The daemon against the simulator's own behaviour: Telegram pushing updates to a webhook, and simulated
/// people whose receipts and taps arrive as Meta signs them.
@Suite struct SimulatedPlatformTests {
    static func count(_ harness: DaemonHarness, _ sql: String) throws -> Int {
        try harness.query { try Int.fetchOne($0, sql: sql) ?? -1 }
    }

    @Test func telegramWebhook_updatesPushedByThePlatform_subscribeWithTheirSource_inOrder_once() async throws {
        let server = try await PlatformServer.start()
        let harness = try DaemonHarness { configuration in
            server.configure(&configuration)
            configuration.accounts["shop_bot"]?.updates = .webhook
            configuration.accounts["shop_bot"]?.webhookSecret = Secret(value: "hook-s3cret", origin: "test")
        }
        defer { harness.remove() }
        try await harness.run { parts in
            // Given the bot's webhook set at its public https URL, which a TLS proxy forwards to Herald
            try await eventually(timeout: 10, "HTTP server listening") { parts.http.port != nil }
            let port = try #require(parts.http.port)
            try server.forwardTelegramWebhooks(to: "http://127.0.0.1:\(port)")
            let set = try server.call("/bot\(PlatformServer.telegramToken)/setWebhook", #"{"url": "https://herald.example.com/webhooks/telegram/shop_bot", "secret_token": "hook-s3cret"}"#)
            #expect(set["ok"] as? Bool == true)
            // When three people press Start on links of two sources
            try server.pushUpdates("""
                [{"update_id": 501, "message": {"message_id": 1, "date": 1, "chat": {"id": 9001, "type": "private"}, "from": {"id": 9001, "is_bot": false, "first_name": "Uno"}, "text": "/start qr_code"}},
                 {"update_id": 502, "message": {"message_id": 2, "date": 1, "chat": {"id": 9002, "type": "private"}, "from": {"id": 9002, "is_bot": false, "first_name": "Due"}, "text": "/start popup_form"}},
                 {"update_id": 503, "message": {"message_id": 3, "date": 1, "chat": {"id": 9003, "type": "private"}, "from": {"id": 9003, "is_bot": false, "first_name": "Tre"}, "text": "/start qr_code"}}]
                """)
            // Then the platform pushes each once, and each subscribes with its source
            try await eventually("three subscribed") { try Self.count(harness, "SELECT count(*) FROM subscribers WHERE account = 'shop_bot' AND status = 'subscribed'") == 3 }
            #expect(try Self.count(harness, "SELECT count(*) FROM subscribers WHERE source = 'qr_code'") == 2)
            let counters = try server.report()["counters"] as? [String: Int] ?? [:]
            #expect(counters["telegram_webhook_updates"] == 3)
            #expect(counters["telegram_webhook_failures"] == nil)
            let info = try server.call("/bot\(PlatformServer.telegramToken)/getWebhookInfo", "{}")
            #expect((info["result"] as? [String: Any])?["pending_update_count"] as? Int == 0)
        }
    }

    @Test func simulatedPeople_onMessenger_subscribe_receive_andTheirSignedReceiptsAreCounted() async throws {
        let server = try await PlatformServer.start()
        let harness = try DaemonHarness { configuration in
            server.configure(&configuration)
            configuration.accounts["shop_page"]?.appSecret = Secret(value: PlatformServer.appSecret, origin: "test")
        }
        defer { harness.remove() }
        try await harness.run { parts in
            try await eventually(timeout: 10, "HTTP server listening") { parts.http.port != nil }
            let port = try #require(parts.http.port)
            // Given ten reachable people on Messenger, with the Page's webhooks pointed at Herald
            try server.settings(#"{"messenger_webhook_url": "http://127.0.0.1:\#(port)/webhooks/messenger", "read_share": 1}"#)
            try server.people(#"{"messenger": 10, "sources": ["qr_code", "website_button"], "blocked": 0, "deactivated": 0, "never_started": 0, "seed": 3}"#)
            // When they arrive through m.me links with Get Started, and a campaign goes to everyone
            #expect(try server.arrive(seconds: 0.5) == 10)
            try await eventually("ten subscribed") { try Self.count(harness, "SELECT count(*) FROM subscribers WHERE account = 'shop_page' AND source IN ('qr_code', 'website_button')") == 10 }
            try harness.drop(#"{"type": "campaign", "id": "sim-sale", "account": "shop_page", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "Sale today, {{first_name}}"}]}}"#, as: "c.json")
            // Then every recipient's delivery and read receipts arrive signed, and Herald records each once
            try await eventually(timeout: 30, "all read") { try Self.count(harness, "SELECT count(*) FROM events e JOIN campaigns c ON c.id = e.campaign_id WHERE c.job_id = 'sim-sale' AND e.kind = 'read'") == 10 }
            #expect(try Self.count(harness, "SELECT count(*) FROM events e JOIN campaigns c ON c.id = e.campaign_id WHERE c.job_id = 'sim-sale' AND e.kind = 'delivered'") == 10)
            // And their names came from the simulated User Profile API
            try await eventually("profiles") { try Self.count(harness, "SELECT count(*) FROM subscribers WHERE account = 'shop_page' AND first_name IS NOT NULL AND first_name != 'Person'") == 10 }
        }
    }
}
