import Foundation
import GRDB
@testable import HeraldCore
import HeraldModel
import Testing

/// The ledger's per-delivery writes bind through SQLite's C API: every kind of value lands as GRDB would write
/// it, a failing statement throws with SQLite's message, and the statement is usable again afterwards.
@Suite struct SQLiteBinderTests {
    @Test func values_landAsWritten_includingNullEmptyAndMultibyteText() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (i INTEGER, n INTEGER, b INTEGER, s TEXT, e TEXT, m TEXT, z TEXT)")
            let statement = try db.cachedStatement(sql: "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)")
            for round in 0..<2 {
                var row = SQLiteBinder(statement, db)
                row.bind(Int64.min + Int64(round)); row.bind(nil as Int64?); row.bind(true); row.bind(nil as String?); row.bind("")
                row.bind("Zoë 👩‍👩‍👧 \u{301}é \"quoted\" 'single'"); row.bind("a\u{0}b")
                try row.step()
            }
            let rows = try Row.fetchAll(db, sql: "SELECT i, n, b, s, e, m, z, typeof(n), typeof(s), typeof(e), length(CAST(z AS BLOB)) FROM t")
            #expect(rows.count == 2)
            let first = try #require(rows.first)
            #expect(first[0] as Int64 == Int64.min)
            #expect(first[7] as String == "null" && first[8] as String == "null")
            #expect(first[2] as Int64 == 1)
            #expect(first[9] as String == "text" && first[4] as String == "")
            #expect(first[5] as String == "Zoë 👩‍👩‍👧 \u{301}é \"quoted\" 'single'")
            // Bound by length, not up to a NUL: all three bytes are stored.
            #expect(first[10] as Int == 3)
        }
    }

    @Test func aFailingStatement_throwsSQLitesMessage_andTheStatementRunsAgain() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
            let statement = try db.cachedStatement(sql: "INSERT INTO t (id, name) VALUES (?, ?) RETURNING id")
            var good = SQLiteBinder(statement, db)
            good.bind(7); good.bind("seven")
            #expect(try good.stepReturningIDs() == [7])
            var duplicate = SQLiteBinder(statement, db)
            duplicate.bind(7); duplicate.bind("again")
            let error = try #require(throws: DatabaseError.self) { try duplicate.step() }
            #expect(error.resultCode == .SQLITE_CONSTRAINT)
            #expect(error.message?.contains("UNIQUE constraint failed") == true)
            var null = SQLiteBinder(statement, db)
            null.bind(8); null.bind(nil as String?)
            #expect(throws: DatabaseError.self) { try null.step() }
            var next = SQLiteBinder(statement, db)
            next.bind(9); next.bind("nine")
            #expect(try next.stepReturningIDs() == [9])
            #expect(try String.fetchAll(db, sql: "SELECT name FROM t ORDER BY id") == ["seven", "nine"])
        }
    }

    /// What `record` writes for each kind of result, read back from the rows.
    @Test func record_writesEveryFieldOfEachResult() async throws {
        let store = try HeraldStore.inMemory()
        let decoder = JobDecoder(accounts: AccountDirectory(["shop_bot": .telegram]), now: Date())
        _ = try store.accept(text: #"{"type": "message", "id": "m1", "account": "shop_bot", "to": ["1", "2", "3"], "message": {"modules": [{"type": "text", "text": "x"}]}}"#, receipt: "r", decoder: decoder)
        let start = Date().addingTimeInterval(1)
        _ = try store.startDueCampaigns(now: start)
        let campaign = try #require(try store.runningCampaigns().first)
        #expect(try await store.markSending([1, 2, 3], now: start) == [1, 2, 3])
        let ms = start.millisecondsSince1970
        try await store.record([
            DeliveryResult(deliveryID: 1, campaignID: campaign.id, subscriberID: 1, account: "shop_bot", state: .sent, messageID: "42", partsSent: 1, sentAt: ms - 5),
            DeliveryResult(deliveryID: 2, campaignID: campaign.id, subscriberID: 2, account: "shop_bot", state: .uncertain, reason: "timed out — ünïcode", partsSent: 0,
                           nextAttemptAt: ms + 60_000, possibleDuplicate: true),
            DeliveryResult(deliveryID: 3, campaignID: campaign.id, subscriberID: 3, account: "shop_bot", state: .failed, reason: "", partsSent: 2),
        ], now: start)
        let rows = try store.database.read { db in
            try Row.fetchAll(db, sql: "SELECT id, state, platform_message_id, error, parts_sent, next_attempt_at, sent_at, possible_duplicate FROM deliveries ORDER BY id")
        }
        #expect(rows.map { $0["state"] as String } == ["sent", "uncertain", "failed"])
        #expect(rows[0]["platform_message_id"] as String? == "42" && rows[0]["error"] as String? == nil && rows[0]["sent_at"] as Int64? == ms - 5)
        #expect(rows[1]["error"] as String? == "timed out — ünïcode" && rows[1]["next_attempt_at"] as Int64? == ms + 60_000)
        #expect(rows[1]["possible_duplicate"] as Bool == true && rows[1]["sent_at"] as Int64? == nil)
        #expect(rows[2]["error"] as String? == "" && rows[2]["parts_sent"] as Int == 2 && rows[2]["next_attempt_at"] as Int64? == nil)
        let events = try store.database.read { db in
            try Row.fetchAll(db, sql: "SELECT kind, at, account, campaign_id, subscriber_id, delivery_id, detail FROM events WHERE delivery_id IS NOT NULL ORDER BY delivery_id")
        }
        // The send is its row alone; the others keep their reasons as events.
        #expect(events.map { $0["kind"] as String } == ["uncertain", "failed"])
        #expect(events.allSatisfy { $0["at"] as Int64 == ms && $0["account"] as String == "shop_bot" && $0["campaign_id"] as Int64 == campaign.id })
        #expect(events.map { $0["subscriber_id"] as Int64 } == [2, 3])
        #expect(events[1]["detail"] as String == #"{"reason":""}"#)
        let detail = try JSONParser().parse(Array((events[0]["detail"] as String).utf8))
        #expect(detail["reason"] == .string("timed out — ünïcode") && detail["possible_duplicate"] == .bool(true) && detail["message_id"] == nil)
    }
}
