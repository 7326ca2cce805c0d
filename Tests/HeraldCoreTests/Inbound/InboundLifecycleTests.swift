import Foundation
import GRDB
import HeraldCore
import HeraldTesting
import Testing

/// Inbound events against campaigns, end to end: the real daemon, its HTTP server, the loopback platform
/// server, and the ledger in SQLite.
@Suite struct InboundLifecycleTests {
    static func harness(_ server: PlatformServer, _ adjust: (inout HeraldCore.Configuration) -> Void = { _ in }) throws -> DaemonHarness {
        try DaemonHarness { configuration in
            server.configure(&configuration)
            configuration.accounts["shop_page"]?.appSecret = Secret(value: WebhookClient.appSecret, origin: "test")
            adjust(&configuration)
        }
    }

    static func count(_ harness: DaemonHarness, _ sql: String) throws -> Int {
        try harness.query { try Int.fetchOne($0, sql: sql) ?? -1 }
    }

    static let messengerCampaign = #"{"type": "campaign", "id": "fb-sale", "account": "shop_page", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "Sale today"}]}}"#

    @Test func aMessageOpensTheWindow_receiptsMarkDeliveredAndRead_onceEach() async throws {
        let server = try await PlatformServer.start()
        let harness = try Self.harness(server)
        defer { harness.remove() }
        try await harness.run { parts in
            let client = try await WebhookClient.connect(parts)
            #expect(await client.messenger(MessengerEvents.body([MessengerEvents.text("1001", "hi there"), MessengerEvents.getStarted("1002")])).status == 200)
            try await eventually("two subscribers") { try Self.count(harness, "SELECT count(*) FROM subscribers WHERE status = 'subscribed' AND last_inbound_at IS NOT NULL") == 2 }
            try harness.drop(Self.messengerCampaign, as: "campaign.json")
            try await eventually(timeout: 20, "both sent") { try harness.deliveries("sent") == 2 }
            // Messenger's receipts: 1001 got and read it, 1002 only got it; a watermark before the send marks nothing.
            let now = MessengerEvents.now()
            let receipts = MessengerEvents.body([
                MessengerEvents.delivery("1001", watermark: now), MessengerEvents.read("1001", watermark: now),
                MessengerEvents.delivery("1002", watermark: now), MessengerEvents.read("1002", watermark: now - 3_600_000),
            ])
            for _ in 0..<2 { #expect(await client.messenger(receipts).status == 200) }
            try await eventually("receipts processed") { try Self.count(harness, "SELECT count(*) FROM inbound WHERE processed_at IS NULL") == 0 && Self.count(harness, "SELECT count(*) FROM inbound") == 3 }
            #expect(try Self.count(harness, "SELECT count(*) FROM events WHERE kind = 'delivered' AND campaign_id IS NOT NULL AND delivery_id IS NOT NULL") == 2)
            #expect(try Self.count(harness, "SELECT count(*) FROM events WHERE kind = 'read'") == 1)
            #expect(try Self.count(harness, "SELECT count(*) FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id WHERE s.platform_id = '1001' AND d.read_at IS NOT NULL AND d.delivered_at IS NOT NULL") == 1)
            await client.close()
        }
        // Untagged (UPDATE) and not skipped: the inbound messages opened the 24-hour window.
        #expect(try Self.count(harness, "SELECT count(*) FROM deliveries WHERE state = 'skipped'") == 0)
    }

    @Test func stop_unsubscribes_andNoCampaignReachesThemAgain() async throws {
        let server = try await PlatformServer.start()
        let harness = try Self.harness(server)
        defer { harness.remove() }
        try await harness.run { parts in
            let client = try await WebhookClient.connect(parts)
            #expect(await client.messenger(MessengerEvents.body([MessengerEvents.text("2001", "hello"), MessengerEvents.text("2002", "hello")])).status == 200)
            try await eventually { try Self.count(harness, "SELECT count(*) FROM subscribers WHERE status = 'subscribed'") == 2 }
            #expect(await client.messenger(MessengerEvents.body([MessengerEvents.text("2002", "Arrêt")])).status == 200)
            try await eventually { try Self.count(harness, "SELECT count(*) FROM subscribers WHERE platform_id = '2002' AND status = 'unsubscribed'") == 1 }
            try harness.drop(Self.messengerCampaign, as: "campaign.json")
            try await eventually(timeout: 20, "campaign completed") { try campaignState(harness, "fb-sale") == "completed" }
            await client.close()
        }
        let recipients = try server.requests().map(\.body).filter { $0.contains("Sale today") }
        #expect(recipients.count == 1)
        #expect(recipients.allSatisfy { $0.contains("\"2001\"") })
        #expect(try Self.count(harness, "SELECT count(*) FROM events WHERE kind = 'unsubscribed' AND detail = '{\"via\":\"keyword\"}'") == 1)
    }

    @Test func anEcho_provesAnUncertainDeliverySent_andItIsNotSentAgain() async throws {
        let server = try await PlatformServer.start()
        let harness = try Self.harness(server) { $0.dispatch.uncertainRetrySeconds = 2 }
        defer { harness.remove() }
        try await harness.run { parts in
            let client = try await WebhookClient.connect(parts)
            #expect(await client.messenger(MessengerEvents.body([MessengerEvents.text("3001", "hi")])).status == 200)
            try await eventually { try Self.count(harness, "SELECT count(*) FROM subscribers") == 1 }
            // The platform acts on the send, then the connection dies without an answer: uncertain.
            try server.script(recipient: "3001", status: 0, body: "null")
            try harness.drop(Self.messengerCampaign, as: "campaign.json")
            try await eventually(timeout: 20, "uncertain") { try harness.deliveries("uncertain") == 1 }
            let id = try Self.count(harness, "SELECT id FROM deliveries")
            #expect(await client.messenger(MessengerEvents.body([MessengerEvents.echo("3001", metadata: "herald:\(id):0:1")])).status == 200)
            try await eventually(timeout: 20, "campaign completed") { try campaignState(harness, "fb-sale") == "completed" }
            await client.close()
        }
        #expect(try server.requests().filter { $0.body.contains("Sale today") }.count == 1)
        #expect(try Self.count(harness, "SELECT count(*) FROM deliveries WHERE state = 'sent' AND possible_duplicate = 0") == 1)
        #expect(try Self.count(harness, "SELECT count(*) FROM events WHERE kind = 'sent' AND detail = '{\"via\":\"echo\"}'") == 1)
    }

    @Test func longPolling_subscribesFromStart_answersCallbacks_andResumesFromItsOffsetAfterARestart() async throws {
        let server = try await PlatformServer.start()
        let harness = try Self.harness(server)
        defer { harness.remove() }
        let from = #""from":{"id":9001,"is_bot":false,"first_name":"Lu","username":"lu"}"#
        let chat = #""chat":{"id":9001,"type":"private"}"#
        try server.pushUpdates("""
            [{"update_id":100,"message":{"message_id":1,\(from),\(chat),"date":1700000000,"text":"/start qr_code"}},
             {"update_id":101,"callback_query":{"id":"cbq-1",\(from),"message":{"message_id":77,\(chat),"date":1700000001,"text":"x"},"chat_instance":"1","data":"MORE"}}]
            """)
        try await harness.run { _ in
            try await eventually("subscribed and clicked") { try Self.count(harness, "SELECT count(*) FROM events WHERE kind = 'click'") == 1 }
        }
        #expect(try Self.count(harness, "SELECT count(*) FROM subscribers WHERE platform_id = '9001' AND source = 'qr_code' AND first_name = 'Lu' AND username = 'lu'") == 1)
        #expect(try Self.count(harness, "SELECT count(*) FROM events WHERE kind = 'click' AND detail = '{\"payload\":\"MORE\",\"via\":\"callback\",\"agent\":\"human\"}'") == 1)
        #expect(try server.requests().filter { $0.path.hasSuffix("/answerCallbackQuery") && $0.body.contains("cbq-1") }.count == 1)
        #expect(try Self.count(harness, "SELECT next_offset FROM telegram_offsets WHERE account = 'shop_bot'") == 102)
        // A restart asks from the stored offset, which confirms both updates; nothing is taken twice.
        try server.pushUpdates(#"[{"update_id":102,"message":{"message_id":2,\#(from),\#(chat),"date":1700000002,"text":"STOP"}}]"#)
        try await harness.run { _ in
            try await eventually("unsubscribed") { try Self.count(harness, "SELECT count(*) FROM subscribers WHERE status = 'unsubscribed'") == 1 }
        }
        #expect(try server.polls().offsets.contains(102))
        #expect(try Self.count(harness, "SELECT count(*) FROM events WHERE kind = 'subscribed'") == 1)
        #expect(try Self.count(harness, "SELECT count(*) FROM events WHERE kind = 'click'") == 1)
        #expect(try Self.count(harness, "SELECT count(*) FROM inbound_seen") == 3)
    }

    @Test func automatedMessages_welcomeDefaultReplyOnceAndGoodbye() async throws {
        let server = try await PlatformServer.start()
        let harness = try Self.harness(server)
        defer { harness.remove() }
        let automation = #"{"type": "automation", "account": "shop_bot", "welcome": {"modules": [{"type": "text", "text": "Welcome {{first_name}}!"}]}, "goodbye": {"modules": [{"type": "text", "text": "Bye for now"}]}, "default_reply": {"message": {"modules": [{"type": "text", "text": "A person will answer soon"}]}, "min_interval_minutes": 60}}"#
        let from = #""from":{"id":9100,"is_bot":false,"first_name":"Mia"}"#
        let chat = #""chat":{"id":9100,"type":"private"}"#
        func message(_ id: Int, _ text: String) -> String { #"{"update_id":\#(id),"message":{"message_id":\#(id),\#(from),\#(chat),"date":1700000000,"text":"\#(text)"}}"# }
        try await harness.run { _ in
            try harness.drop(automation, as: "automation.json")
            try await eventually { harness.names(in: .done).count == 1 }
            try server.pushUpdates("[\(message(1, "/start"))]")
            try await eventually(timeout: 20, "welcome sent") { try server.requests().contains { $0.body.contains("Welcome Mia!") } }
            // Another bot's auto-replies would loop: the default reply goes once per interval.
            try server.pushUpdates("[\(message(2, "are you there?")), \(message(3, "auto-reply: received")), \(message(4, "auto-reply: received"))]")
            try await eventually(timeout: 20, "default reply sent") { try server.requests().contains { $0.body.contains("A person will answer soon") } }
            try server.pushUpdates("[\(message(5, "stop"))]")
            try await eventually(timeout: 20, "goodbye sent") { try server.requests().contains { $0.body.contains("Bye for now") } }
            try await eventually { try Self.count(harness, "SELECT count(*) FROM deliveries WHERE state IN ('pending', 'sending', 'uncertain')") == 0 }
        }
        let texts = try server.requests().map(\.body)
        #expect(texts.filter { $0.contains("A person will answer soon") }.count == 1)
        #expect(texts.filter { $0.contains("Welcome") }.count == 1)
        #expect(try Self.count(harness, "SELECT count(*) FROM subscribers WHERE status = 'unsubscribed'") == 1)
    }
}

/// The Messenger User Profile API fills the names of new subscribers, once each.
@Suite struct ProfileEnrichmentTests {
    @Test func newMessengerSubscribers_getTheirNames_andOneWithoutAProfileIsAskedOnce() async throws {
        let server = try await PlatformServer.start()
        let harness = try InboundLifecycleTests.harness(server)
        defer { harness.remove() }
        try await harness.run { parts in
            let client = try await WebhookClient.connect(parts)
            #expect(await client.messenger(MessengerEvents.body([MessengerEvents.getStarted("5551234"), MessengerEvents.getStarted("5551230")])).status == 200)
            try await eventually(timeout: 20, "both asked") { try InboundLifecycleTests.count(harness, "SELECT count(*) FROM subscribers WHERE profile_fetched_at > 0") == 2 }
            await client.close()
        }
        #expect(try InboundLifecycleTests.count(harness, "SELECT count(*) FROM subscribers WHERE platform_id = '5551234' AND first_name = 'Person' AND last_name = '1234'") == 1)
        #expect(try InboundLifecycleTests.count(harness, "SELECT count(*) FROM subscribers WHERE platform_id = '5551230' AND first_name IS NULL") == 1)
        #expect(try server.requests().filter { $0.path.hasPrefix("/v25.0/555123") }.count == 2)
    }
}
