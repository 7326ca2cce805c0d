import Foundation
import GRDB
import HeraldCore
import HeraldTesting
import Testing

@Suite(.serialized) struct DispatchEndToEndTests {
    @Test func telegramCampaign_sendsEveryModuleToTheTaggedAudience() async throws {
        let server = try await PlatformServer.start()
        let harness = try DaemonHarness { server.configure(&$0) }
        defer { harness.remove() }
        try await harness.run { _ in
            try await sendTelegramExample(harness)
        }
        // A photo goes by URL, or by the file_id an earlier send returned: compare with the URL in its place. The
        // link goes out tracked (ClickTrackingTests follow one), each recipient's with its own token.
        let requests: [(path: String, body: String)] = try server.requests().map { request in
            (path: request.path, body: request.body.replacing(#/"photo":"AgAC-[0-9]+"/#, with: #""photo":"https://shop.example.com/img/spring.jpg""#)
                .replacing(#/"url":"http://127\.0\.0\.1:8080/c/[A-Za-z0-9_-]{20,40}"/#, with: #""url":"TRACKED""#))
        }
        // 555444333 is tagged churned and excluded; the other two get the photo and the text with buttons
        let jobs = try harness.query { try Row.fetchAll($0, sql: "SELECT receipt, file_name, accepted_at, detail FROM jobs ORDER BY receipt") }
        #expect(requests.count == 4, "\(requests)\njobs: \(jobs)")
        let token = PlatformServer.telegramToken
        let expected = [
            ("/bot\(token)/sendPhoto", #"{"chat_id":123456789,"photo":"https://shop.example.com/img/spring.jpg","caption":"Spring is here, Ada!","parse_mode":"HTML"}"#),
            ("/bot\(token)/sendMessage", #"{"chat_id":123456789,"text":"Everything is 20% off until Sunday. Your code: ADA20","parse_mode":"HTML","link_preview_options":{"is_disabled":true},"reply_markup":{"inline_keyboard":[[{"text":"Shop now","url":"TRACKED"}],[{"text":"Not interested","callback_data":"optout:spring"}]]}}"#),
            ("/bot\(token)/sendPhoto", #"{"chat_id":987654321,"photo":"https://shop.example.com/img/spring.jpg","caption":"Spring is here, Grace!","parse_mode":"HTML"}"#),
            ("/bot\(token)/sendMessage", #"{"chat_id":987654321,"text":"Everything is 20% off until Sunday. Your code: GRACE20","parse_mode":"HTML","link_preview_options":{"is_disabled":true},"reply_markup":{"inline_keyboard":[[{"text":"Shop now","url":"TRACKED"}],[{"text":"Not interested","callback_data":"optout:spring"}]]}}"#),
        ]
        for (path, body) in expected {
            #expect(requests.contains { $0.path == path && $0.body == canonical(body) }, "missing \(path) \(body)\ngot: \(requests)")
        }
        // Each recipient's calls arrive in module order
        for chat in ["123456789", "987654321"] {
            let mine = requests.filter { $0.body.contains("\"chat_id\":\(chat)") }.map(\.path)
            #expect(mine == ["/bot\(token)/sendPhoto", "/bot\(token)/sendMessage"])
        }
        try harness.query { (db: Database) throws in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM deliveries WHERE state = 'sent' AND platform_message_id IS NOT NULL") == 2)
            // A send is its delivery row alone: no event repeats it.
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM events WHERE kind = 'sent'") == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT sum(sent) FROM campaign_seconds") == 2)
            #expect(try String.fetchOne(db, sql: "SELECT state FROM jobs WHERE id = 'spring-sale-2026-telegram'") == "completed")
        }
        // A subscriber's latest events still show the send, from its delivery row.
        let detail = try await HeraldStore(path: harness.configuration.databasePath).subscriberDetail(account: "shop_bot", platformID: "123456789") ?? []
        #expect(detail.contains { $0.0 == "event" && $0.1.hasSuffix(" sent (spring-sale-2026-telegram)") }, "\(detail)")
    }

    /// The platforms' transport: HTTPS, HTTP/2 offered by ALPN, here behind a certificate authority of the operator's
    /// (`ca_file`). The campaign goes out over HTTP/2 and each message reaches the platform once.
    @Test(.enabled(if: TLSProxy.available)) func telegramCampaign_overHTTPSWithHTTP2_trustsTheConfiguredAuthority() async throws {
        let server = try await PlatformServer.start()
        let proxy = try await TLSProxy.start(upstream: server.baseURL)
        let harness = try DaemonHarness { configuration in
            server.configure(&configuration)
            configuration.accounts["shop_bot"]?.apiBaseURL = proxy.baseURL
            configuration.dispatch.caFile = proxy.certificate
        }
        defer { harness.remove() }
        /// The example's calls: a photo and a message to each of two subscribers.
        func isSend(_ path: String) -> Bool { path.hasSuffix("/sendPhoto") || path.hasSuffix("/sendMessage") }
        try await harness.run { _ in
            try await sendTelegramExample(harness)
            try await eventually("the sends logged") { try proxy.requests().filter { isSend($0.path) }.count >= 4 }
        }
        let sends = try server.requests().filter { isSend($0.path) }
        #expect(sends.count == 4 && Set(sends.map(\.body)).count == 4, "\(sends)")
        let proxied = try proxy.requests()
        #expect(proxied.allSatisfy { $0.protocol == "HTTP/2.0" }, "\(proxied)")
        #expect(proxied.filter { isSend($0.path) }.map(\.status) == [200, 200, 200, 200])
        #expect(try harness.deliveries("sent") == 2)
    }

    @Test func messengerCampaign_holdsTheTwentyFourHourRule() async throws {
        let server = try await PlatformServer.start()
        let harness = try DaemonHarness { server.configure(&$0) }
        defer { harness.remove() }
        let importJob = #"{"type": "subscribers", "account": "shop_page", "action": "import", "subscribers": [{"id": "1001", "first_name": "Ann"}, {"id": "1002", "first_name": "Bo"}, {"id": "1003"}]}"#
        try await harness.run { _ in
            try harness.drop(importJob, as: "import.json")
            try await eventually { harness.names(in: .done).count == 1 }
            // Ann wrote 2 hours ago, Bo 3 days ago, 1003 never
            let queue = try harness.writableQueue()
            try await queue.write { db in
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                try db.execute(sql: "UPDATE subscribers SET last_inbound_at = ? WHERE platform_id = '1001'", arguments: [now - 7_200_000])
                try db.execute(sql: "UPDATE subscribers SET last_inbound_at = ? WHERE platform_id = '1002'", arguments: [now - 259_200_000])
            }
            try harness.drop(try example("messenger-campaign.json"), as: "campaign.json")
            try await eventually(timeout: 20, "campaign completed") { try campaignState(harness, "new-arrivals-messenger") == "completed" }
        }
        let requests = try server.requests()
        #expect(requests.count == 2)
        let path = "/v25.0/\(PlatformServer.pageID)/messages"
        #expect(requests.allSatisfy { $0.path == path })
        #expect(requests.first?.body == canonical(#"{"recipient":{"id":"1001"},"messaging_type":"UPDATE","notification_type":"SILENT_PUSH","message":{"text":"Hi Ann, three new arrivals picked for you:","metadata":"herald:1:0:2"}}"#))
        #expect(requests.last?.body.contains(#""template_type":"generic""#) == true)
        #expect(requests.last?.body.contains(#""quick_replies":[{"content_type":"text","payload":"more","title":"More like this"},{"content_type":"text","payload":"STOP","title":"Stop"}]"#) == true)
        try harness.query { (db: Database) throws in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM deliveries WHERE state = 'skipped' AND error = 'outside_window'") == 2)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM events WHERE kind = 'skipped'") == 2)
        }
    }
}

@Suite(.serialized) struct EveryModuleEndToEndTests {
    static let allModules = #"""
        [{"type": "text", "text": "Hi {{first_name}}"},
         {"type": "text", "text": "Pick one", "buttons": [{"type": "url", "title": "Open", "url": "https://shop.example/x"}, {"type": "postback", "title": "Yes", "payload": "Y"}]},
         {"type": "image", "url": "https://m.example/i.jpg", "caption": "Image"},
         {"type": "video", "url": "https://m.example/v.mp4"},
         {"type": "audio", "url": "https://m.example/a.mp3"},
         {"type": "file", "url": "https://m.example/f.pdf"},
         {"type": "cards", "cards": [{"title": "Card", "subtitle": "Sub", "image_url": "https://m.example/c.jpg", "buttons": [{"type": "postback", "title": "Go", "payload": "G"}]}]}]
        """#

    @Test func everyModule_onBothPlatforms_isAcceptedByTheServerInOrder_andMediaIsReused() async throws {
        let server = try await PlatformServer.start()
        // A group that was upgraded: its first message answers with the new id
        try server.script(recipient: "-4001", status: 400, body: #"{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1009876543210}}"#)
        let harness = try DaemonHarness { server.configure(&$0) }
        defer { harness.remove() }
        try await harness.run { _ in
            try harness.drop(#"{"type": "subscribers", "account": "shop_bot", "action": "import", "subscribers": [{"id": "21", "first_name": "Ann"}, {"id": "22"}, {"id": "-4001"}]}"#, as: "a.json")
            try harness.drop(#"{"type": "subscribers", "account": "shop_page", "action": "import", "subscribers": [{"id": "31", "first_name": "Bo"}]}"#, as: "b.json")
            try await eventually { harness.names(in: .done).count == 2 }
            let queue = try harness.writableQueue()
            try await queue.write { try $0.execute(sql: "UPDATE subscribers SET last_inbound_at = ?", arguments: [Int64(Date().timeIntervalSince1970 * 1000)]) }
            try harness.drop(#"{"type": "campaign", "id": "tg", "account": "shop_bot", "audience": {"all": true}, "message": {"modules": "# + Self.allModules + "}}", as: "tg.json")
            try harness.drop(#"{"type": "campaign", "id": "fb", "account": "shop_page", "audience": {"all": true}, "message": {"modules": "# + Self.allModules + "}}", as: "fb.json")
            try await eventually(timeout: 40, "both completed") {
                try harness.query { try Int.fetchOne($0, sql: "SELECT count(*) FROM campaigns WHERE state = 'completed'") } == 2
            }
        }
        let requests = try server.requests()
        let token = PlatformServer.telegramToken
        let telegramOrder = ["sendMessage", "sendMessage", "sendPhoto", "sendVideo", "sendAudio", "sendDocument", "sendPhoto"].map { "/bot\(token)/\($0)" }
        for chat in ["21", "22", "-1009876543210"] {
            #expect(requests.filter { $0.body.contains("\"chat_id\":\(chat),") || $0.body.hasSuffix("\"chat_id\":\(chat)}") }.map(\.path) == telegramOrder, "chat \(chat)")
        }
        // Messenger: 7 modules become 8 messages (the image's caption follows as text), all accepted
        let messenger = requests.filter { $0.path.hasSuffix("/messages") }
        #expect(messenger.count == 8)
        try harness.query { (db: Database) throws in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM deliveries WHERE state = 'sent'") == 4)
            #expect(try String.fetchOne(db, sql: "SELECT platform_id FROM subscribers WHERE platform_id LIKE '-100%'") == "-1009876543210")
        }
    }
}

@Suite(.serialized) struct PersonalisationEndToEndTests {
    @Test func username_fromAnImport_andAnInlineRecipient_isRendered() async throws {
        let server = try await PlatformServer.start()
        let harness = try DaemonHarness { server.configure(&$0) }
        defer { harness.remove() }
        try await harness.run { _ in
            try harness.drop(#"{"type": "subscribers", "account": "shop_bot", "action": "import", "subscribers": [{"id": "51", "username": "@ada_l"}]}"#, as: "a.json")
            try await eventually { harness.names(in: .done).count == 1 }
            try harness.drop(#"{"type": "message", "id": "m", "account": "shop_bot", "to": ["51", {"id": "52", "username": "grace.h"}], "message": {"modules": [{"type": "text", "text": "Hi {{#username}}@{{username}}{{/username}}{{^username}}there{{/username}}"}]}}"#, as: "m.json")
            try await eventually(timeout: 20, "message sent") {
                try harness.query { try Int.fetchOne($0, sql: "SELECT count(*) FROM deliveries WHERE state = 'sent'") } == 2
            }
        }
        let texts = try server.requests().map(\.body).sorted()
        #expect(texts.contains { $0.contains(#""text":"Hi @ada_l""#) }, "\(texts)")
        #expect(texts.contains { $0.contains(#""text":"Hi @grace.h""#) }, "\(texts)")
        try harness.query { (db: Database) throws in
            #expect(try String.fetchAll(db, sql: "SELECT username FROM subscribers ORDER BY platform_id") == ["ada_l", "grace.h"])
        }
    }


    @Test func personalisedTitle_overTheLimitWithEmojiAndCombiningMarks_isFittedAndAccepted() async throws {
        let server = try await PlatformServer.start()
        let harness = try DaemonHarness { server.configure(&$0) }
        defer { harness.remove() }
        // 18 grapheme clusters but 29 UTF-16 units: Messenger counts the units, and allows 20 in a title
        let name = "Zoe\u{0308} 👩‍👩‍👧‍👦 Österberg"
        let campaign = #"{"type": "campaign", "id": "t", "account": "shop_page", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "Pick", "buttons": [{"type": "postback", "title": "Hi {{first_name}}", "payload": "P"}]}], "quick_replies": [{"title": "{{#first_name}}{{first_name}}{{/first_name}}{{^first_name}}You{{/first_name}}", "payload": "Q"}]}}"#
        try await harness.run { _ in
            try harness.drop(#"{"type": "subscribers", "account": "shop_page", "action": "import", "subscribers": [{"id": "41", "first_name": ""# + name + #""}, {"id": "42"}]}"#, as: "a.json")
            try await eventually { harness.names(in: .done).count == 1 }
            let queue = try harness.writableQueue()
            try await queue.write { try $0.execute(sql: "UPDATE subscribers SET last_inbound_at = ?", arguments: [Int64(Date().timeIntervalSince1970 * 1000)]) }
            try harness.drop(campaign, as: "c.json")
            try await eventually(timeout: 20, "campaign completed") {
                try harness.query { try String.fetchOne($0, sql: "SELECT state FROM campaigns") } == "completed"
            }
        }
        try harness.query { (db: Database) throws in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM deliveries WHERE state = 'sent'") == 2)
        }
        let bodies = try server.requests().map(\.body)
        #expect(bodies.contains { $0.contains(#""title":"Hi Zoe\#u{0308} 👩‍👩‍👧‍👦…""#) }, "\(bodies)")
        #expect(bodies.contains { $0.contains(#""title":"Zoe\#u{0308} 👩‍👩‍👧‍👦 Ös…""#) }, "\(bodies)")
        #expect(bodies.contains { $0.contains(#""title":"You""#) }, "\(bodies)")
    }
}

@Suite(.serialized) struct MediaReuseEndToEndTests {
    @Test func media_uploadedOnceByURL_thenSentByTheReturnedID() async throws {
        let server = try await PlatformServer.start()
        let harness = try DaemonHarness { configuration in
            server.configure(&configuration)
            configuration.accounts["shop_bot"]?.rate = 2
        }
        defer { harness.remove() }
        try await harness.run { _ in
            try harness.drop(#"{"type": "subscribers", "account": "shop_bot", "action": "import", "subscribers": ["51", "52", "53", "54"]}"#, as: "a.json")
            try await eventually { harness.names(in: .done).count == 1 }
            try harness.drop(#"{"type": "campaign", "id": "v", "account": "shop_bot", "audience": {"all": true}, "message": {"modules": [{"type": "video", "url": "https://m.example/v.mp4"}]}}"#, as: "v.json")
            try await eventually(timeout: 20) { try harness.query { try String.fetchOne($0, sql: "SELECT state FROM campaigns WHERE job_id = 'v'") } == "completed" }
        }
        let videos = try server.requests().map(\.body)
        // At 2 messages/s the first upload's answer is back before the later sends go out
        #expect(videos.count == 4)
        #expect(videos.filter { $0.contains(#""video":"https://m.example/v.mp4""#) }.count <= 2)
        #expect(videos.filter { $0.contains(#""video":"BAAC-video-"#) }.count >= 2)
        // After a restart, the next campaign of the account sends the stored id from its first message on
        try await harness.run { _ in
            try harness.drop(#"{"type": "campaign", "id": "v2", "account": "shop_bot", "audience": {"all": true}, "message": {"modules": [{"type": "video", "url": "https://m.example/v.mp4"}]}}"#, as: "v2.json")
            try await eventually(timeout: 20) { try harness.query { try String.fetchOne($0, sql: "SELECT state FROM campaigns WHERE job_id = 'v2'") } == "completed" }
        }
        let again = try server.requests().map(\.body).dropFirst(4)
        #expect(again.count == 4)
        #expect(again.allSatisfy { $0.contains(#""video":"BAAC-video-"#) }, "\(again)")
        #expect(try harness.query { try Int.fetchOne($0, sql: "SELECT count(*) FROM media WHERE account = 'shop_bot' AND url = 'https://m.example/v.mp4'") } == 1)
    }
}

/// Imports and tags the example subscribers, then sends the example Telegram campaign and waits for it to complete.
func sendTelegramExample(_ harness: DaemonHarness) async throws {
    try harness.drop(try example("subscribers-import.json"), as: "1.json")
    try harness.drop(try example("subscribers-tag.json"), as: "2.json")
    try await eventually { harness.names(in: .done).count == 2 }
    try harness.drop(try example("telegram-campaign.json"), as: "3.json")
    try await eventually(timeout: 20, "campaign completed") { try campaignState(harness, "spring-sale-2026-telegram") == "completed" }
}
