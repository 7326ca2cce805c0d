import Foundation
import GRDB
@testable import HeraldCore
import HeraldModel
import Testing

/// The recorder's rules on an in-memory store (no spool, no dispatcher); only the data-file import, which is
/// about the spool's data/ folder, runs through a daemon.
@Suite struct JobRecorderTests {
    static let decoder = JobDecoder(accounts: AccountDirectory(["shop_bot": .telegram, "shop_page": .messenger]), now: Date())

    /// Accepts each job in turn, as intake would one file at a time; returns the verdicts.
    @discardableResult
    static func accept(_ store: HeraldStore, _ texts: [String]) throws -> [IntakeVerdict] {
        try texts.enumerated().map { index, text in
            try store.accept(text: text, receipt: "r\(index)-\(UUID().uuidString.prefix(8))", decoder: decoder)
        }
    }

    static func code(_ verdict: IntakeVerdict) -> String? {
        if case .rejected(let error) = verdict { error.code } else { nil }
    }

    @Test func control_pauseResumeCancel_moveTheCampaignThroughItsStates() throws {
        // On an in-memory store: the recorder's rules, without a spool or a dispatcher
        let store = try HeraldStore.inMemory()
        let sendAt = ISO8601DateFormatter().string(from: Date().addingTimeInterval(180 * 86_400))
        let campaign = #"{"type": "campaign", "id": "spring", "account": "shop_bot", "audience": {"all": true}, "send_at": ""# + sendAt + #"", "message": {"modules": [{"type": "text", "text": "x"}]}}"#
        let steps: [(String, String?, String?)] = [
            (campaign, "scheduled", nil),
            (#"{"type": "pause", "job": "spring"}"#, "paused", nil),
            (#"{"type": "pause", "job": "spring"}"#, "paused", "already_paused"),
            (#"{"type": "resume", "job": "spring"}"#, "scheduled", nil),
            (#"{"type": "resume", "job": "spring"}"#, "scheduled", "not_paused"),
            (#"{"type": "cancel", "job": "spring"}"#, "cancelled", nil),
            (#"{"type": "cancel", "job": "spring"}"#, "cancelled", "already_finished"),
            (#"{"type": "pause", "job": "nothing"}"#, "cancelled", "unknown_job"),
        ]
        for (index, (text, expected, refusal)) in steps.enumerated() {
            let verdict = try InMemoryStoreTests.accept(store, text, "r\(index)")
            switch verdict {
            case .accepted: #expect(refusal == nil, "step \(index) accepted")
            case .rejected(let error): #expect(error.code == refusal, "step \(index): \(error)")
            }
            #expect(try store.jobStatus(id: JobID(unchecked: "spring"))?.campaignState == expected, "step \(index)")
        }
        #expect(try store.jobStatus(id: JobID(unchecked: "spring"))?.state == "cancelled")
    }

    @Test func subscribers_importTagUnsubscribe_andNeverResubscribeOnImport() throws {
        let store = try HeraldStore.inMemory()
        try Self.accept(store, [
            try example("subscribers-import.json"),
            #"{"type": "subscribers", "account": "shop_bot", "action": "unsubscribe", "subscribers": ["987654321", "000000001"]}"#,
            #"{"type": "subscribers", "account": "shop_bot", "action": "import", "subscribers": [{"id": "987654321", "first_name": "Gracie"}]}"#,
            #"{"type": "subscribers", "account": "shop_bot", "action": "untag", "tags": ["customers"], "subscribers": ["123456789"]}"#,
        ]).forEach { #expect(Self.code($0) == nil) }
        try store.database.read { (db: Database) throws in
            let grace = try #require(try Row.fetchOne(db, sql: "SELECT status, first_name, source, fields FROM subscribers WHERE platform_id = '987654321'"))
            #expect(grace["status"] as String == "unsubscribed")
            #expect(grace["first_name"] as String == "Gracie")
            #expect(grace["source"] as String == "website_button")
            #expect((grace["fields"] as String).contains("\"coupon\":\"GRACE20\""))
            let tags = try String.fetchAll(db, sql: "SELECT tag FROM subscriber_tags t JOIN subscribers s ON s.id = t.subscriber_id WHERE s.platform_id = '123456789'")
            #expect(tags.isEmpty)
            let events = try String.fetchAll(db, sql: "SELECT kind FROM events ORDER BY id")
            #expect(events == ["subscribed", "subscribed", "subscribed", "unsubscribed"])
            let detail = try String.fetchOne(db, sql: "SELECT detail FROM jobs WHERE kind = 'subscribers' AND detail LIKE 'unsubscribe%'")
            #expect(detail == "unsubscribe on shop_bot: 1 changed, 1 not found (skipped)")
        }
    }

    @Test func subscribers_fromDataFile_importsCSVAndRejectsBadRowsWithLineNumber() async throws {
        let harness = try DaemonHarness()
        defer { harness.remove() }
        try harness.drop("id,first_name,tags,city,username\n111,\"Smith, Jo\",a;b,Rome,@jo_smith\n222,Bo,,,\n", as: "good.csv", in: .data)
        try harness.drop("id,first_name\n111,A\nnot-a-number,B\n", as: "bad.csv", in: .data)
        try harness.drop("{\"id\": \"5\", \"first_name\": \"J\"}\n{\"id\": 6, \"tags\": [\"x\"]}\n", as: "list.jsonl", in: .data)
        try await harness.run { _ in
            try harness.drop(#"{"type": "subscribers", "account": "shop_bot", "action": "import", "origin": "qr_code", "file": "data/good.csv"}"#, as: "good.json")
            try harness.drop(#"{"type": "subscribers", "account": "shop_bot", "action": "import", "file": "data/bad.csv"}"#, as: "bad.json")
            try harness.drop(#"{"type": "subscribers", "account": "shop_bot", "action": "import", "file": "data/list.jsonl"}"#, as: "list.json")
            try harness.drop(#"{"type": "subscribers", "account": "shop_bot", "action": "import", "file": "data/missing.csv"}"#, as: "missing.json")
            try await eventually { harness.names(in: .done).count == 2 && harness.names(in: .failed).count == 4 }
        }
        #expect(harness.rejection(of: "bad.json")?["error"] == "file: line 3: must be a Telegram chat id (a whole number such as 123456789 or -1001234567890) or @channelname")
        #expect(harness.rejection(of: "missing.json")?["error"]?.contains("No such file") == true)
        try harness.query { (db: Database) throws in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM subscribers") == 4)
            #expect(try String.fetchOne(db, sql: "SELECT first_name FROM subscribers WHERE platform_id = '111'") == "Smith, Jo")
            #expect(try String.fetchOne(db, sql: "SELECT source FROM subscribers WHERE platform_id = '111'") == "qr_code")
            #expect(try String.fetchOne(db, sql: "SELECT username FROM subscribers WHERE platform_id = '111'") == "jo_smith")
            #expect(try String.fetchOne(db, sql: "SELECT fields FROM subscribers WHERE platform_id = '111'") == #"{"city":"Rome"}"#)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM subscriber_tags") == 3)
        }
    }

    @Test func campaign_toExplicitSubscribers_rejectsUnknownOnesByPath() throws {
        let store = try HeraldStore.inMemory()
        let verdicts = try Self.accept(store, [
            try example("subscribers-import.json"),
            #"{"type": "campaign", "account": "shop_bot", "audience": {"subscribers": ["123456789", "42"]}, "message": {"modules": [{"type": "text", "text": "x"}]}}"#,
            try example("scheduled-campaign.json"),
        ])
        guard case .rejected(let error) = verdicts[1] else {
            Issue.record("the campaign to an unknown subscriber was accepted")
            return
        }
        #expect(error.path.description == "audience.subscribers[1]")
        // The scheduled one names only known subscribers: accepted, with its two deliveries waiting
        #expect(Self.code(verdicts[2]) == nil)
        try store.database.read { (db: Database) throws in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM deliveries WHERE state = 'pending'") == 2)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM campaigns") == 1)
        }
    }

    @Test func feed_createUpdateDelete_andAutomationSettings() throws {
        let store = try HeraldStore.inMemory()
        let verdicts = try Self.accept(store, [
            try example("feed.json"),
            #"{"type": "feed", "action": "create", "name": "blog", "account": "shop_bot", "source": "https://a.example/f", "frequency": {"every_hours": 2}}"#,
            #"{"type": "feed", "action": "update", "name": "blog", "max_items": 3}"#,
            #"{"type": "feed", "action": "delete", "name": "nope"}"#,
            try example("automation.json"),
            #"{"type": "automation", "account": "shop_page", "welcome": null}"#,
        ])
        #expect(verdicts.map(Self.code) == [nil, "duplicate_feed", nil, "unknown_feed", nil, nil])
        try store.database.read { (db: Database) throws in
            let settings = try #require(try String.fetchOne(db, sql: "SELECT settings FROM feeds WHERE name = 'blog'"))
            #expect(settings.contains("\"max_items\":3") && settings.contains("\"mode\":\"digest\""))
            let automations = try String.fetchAll(db, sql: "SELECT setting FROM automations WHERE account = 'shop_page' ORDER BY setting")
            #expect(automations == ["default_reply", "goodbye", "keyword_replies", "presentation", "unsubscribe_keywords", "welcome_by_source"])
        }
    }

    @Test func feed_anotherSourceStartsANewCatalogue_otherChangesKeepWhatWasSeen_andRunOnlyBumpsTheRevision() throws {
        let store = try HeraldStore.inMemory()
        _ = try Self.accept(store, [#"{"type": "feed", "action": "create", "name": "blog", "account": "shop_bot", "source": "https://a.example/f", "frequency": {"every_hours": 2}}"#])
        func seenOnce() throws {
            try store.database.write { db in
                try db.execute(sql: "UPDATE feeds SET last_success_at = 1, etag = 'e', last_modified = 'm'")
                try db.execute(sql: "INSERT OR IGNORE INTO feed_items (feed, key, title, state, seen_at) VALUES ('blog', 'k', 't', 'first_run', 1)")
            }
        }
        func state() throws -> (Int64?, String?, Int, Int64) {
            try store.database.read { db in
                let row = try #require(try Row.fetchOne(db, sql: "SELECT last_success_at, etag, revision FROM feeds WHERE name = 'blog'"))
                return (row["last_success_at"], row["etag"], try Int.fetchOne(db, sql: "SELECT count(*) FROM feed_items") ?? -1, row["revision"])
            }
        }
        try seenOnce()
        #expect(try Self.accept(store, [#"{"type": "feed", "action": "update", "name": "blog", "mode": "digest"}"#]).map(Self.code) == [nil])
        var (success, etag, items, revision) = try state()
        #expect(success == 1 && etag == "e" && items == 1 && revision == 1)
        #expect(try Self.accept(store, [#"{"type": "feed", "action": "run", "name": "blog"}"#]).map(Self.code) == [nil])
        (success, etag, items, revision) = try state()
        #expect(success == 1 && etag == "e" && items == 1 && revision == 2)
        #expect(try Self.accept(store, [#"{"type": "feed", "action": "update", "name": "blog", "source": "https://b.example/f"}"#]).map(Self.code) == [nil])
        (success, etag, items, revision) = try state()
        #expect(success == nil && etag == nil && items == 0 && revision == 3)
        let settings = try store.database.read { db in try String.fetchOne(db, sql: "SELECT settings FROM feeds") ?? "" }
        #expect(settings.contains("\"mode\":\"digest\"") && settings.contains("b.example") && !settings.contains("\"action\""))
    }
}
