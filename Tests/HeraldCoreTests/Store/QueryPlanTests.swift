import Foundation
import GRDB
import HeraldModel
@testable import HeraldCore
import Testing

/// The hot statements use the indexes they were written for: a plan that falls back to scanning a campaign's
/// deliveries costs a million-recipient campaign a million row reads per pass.
@Suite struct QueryPlanTests {
    static func plan(_ store: HeraldStore, _ sql: String, arguments: StatementArguments = []) throws -> String {
        try store.database.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }.joined(separator: "; ")
        }
    }

    @Test func dueDeliveries_walkTheDueIndexInDeliveryOrder() throws {
        let store = try HeraldStore.inMemory()
        let plan = try Self.plan(store, """
            SELECT d.id FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
            WHERE d.campaign_id = 1 AND d.id > 0 AND d.state IN ('pending', 'uncertain') AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= 0)
            ORDER BY d.id LIMIT 10
            """)
        #expect(plan.contains("USING INDEX deliveries_due"), "\(plan)")
        #expect(!plan.contains("TEMP B-TREE"), "\(plan)")
    }

    @Test func completion_looksAtOpenDeliveriesOnly() throws {
        let store = try HeraldStore.inMemory()
        let plan = try Self.plan(store, """
            SELECT job_id FROM campaigns c WHERE state = 'running' AND audience_expanded = 1
            AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.campaign_id = c.id AND d.state IN ('pending', 'uncertain'))
            AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.state = 'sending' AND d.campaign_id = c.id)
            """)
        #expect(plan.contains("deliveries_due") && plan.contains("deliveries_sending"), "\(plan)")
        #expect(!plan.contains("sqlite_autoindex_deliveries"), "\(plan)")
    }

    @Test func inboundStatements_useTheirIndexes() throws {
        let store = try HeraldStore.inMemory()
        let watermark = try Self.plan(store, "UPDATE deliveries SET read_at = 1 WHERE subscriber_id = 7 AND state = 'sent' AND read_at IS NULL AND sent_at <= 5")
        #expect(watermark.contains("deliveries_subscriber"), "\(watermark)")
        let profiles = try Self.plan(store, "SELECT account, platform_id FROM subscribers WHERE profile_fetched_at = 0 AND status = 'subscribed' ORDER BY id LIMIT 10")
        #expect(profiles.contains("subscribers_profile_wanted"), "\(profiles)")
        let unprocessed = try Self.plan(store, "SELECT id FROM inbound WHERE processed_at IS NULL ORDER BY id LIMIT 128")
        #expect(unprocessed.contains("inbound_unprocessed") && !unprocessed.contains("TEMP B-TREE"), "\(unprocessed)")
    }

    /// The operator's and the metrics' views of open deliveries read the two partial indexes, not the whole ledger.
    @Test func openDeliveryViews_readThePartialIndexes_notTheLedger() throws {
        let store = try HeraldStore.inMemory()
        let statements: [(String, StatementArguments)] = [
            (OpenDeliverySQL.anyOpen(jobs: 2), ["a", "b", "a", "b"]), (OpenDeliverySQL.byState, []), (OpenDeliverySQL.backlog, []), (OpenDeliverySQL.queueShape, [0]),
        ]
        for (sql, arguments) in statements {
            let plan = try Self.plan(store, sql, arguments: arguments)
            #expect(plan.contains("deliveries_due") && plan.contains("deliveries_sending"), "\(plan)")
            #expect(!plan.contains("SCAN deliveries;") && !plan.hasSuffix("SCAN deliveries") && !plan.contains("sqlite_autoindex_deliveries"), "\(plan)")
        }
    }

    /// ...and count what a scan of the whole ledger counts.
    @Test func openDeliveryViews_countWhatAScanCounts() async throws {
        let store = try HeraldStore.inMemory()
        let states = ["pending", "sent", "sending", "uncertain", "failed", "pending", "skipped", "sending", "pending"]
        // Rows written directly, without the jobs and subscribers they would point to.
        try await store.database.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            for campaign in 1...2 {
                try db.execute(sql: """
                    INSERT INTO campaigns (id, job_id, account, kind, priority, state, send_at, created_at, started_at)
                    VALUES (?, ?, ?, 'campaign', 1, 'running', 0, 0, 60000)
                    """, arguments: [campaign, "job-\(campaign)", "bot\(campaign)"])
            }
            for (index, state) in states.enumerated() {
                try db.execute(sql: "INSERT INTO deliveries (campaign_id, subscriber_id, state, attempts, updated_at) VALUES (?, ?, ?, ?, 0)",
                               arguments: [index % 2 + 1, index, state, index % 3])
            }
        }
        let scanned = try await store.database.read { db in
            try Row.fetchAll(db, sql: "SELECT state, count(*) AS n FROM deliveries WHERE state IN ('pending', 'sending', 'uncertain') GROUP BY state")
                .reduce(into: [String: Int]()) { $0[$1["state"]] = $1["n"] }
        }
        #expect(try await store.metricsSnapshot().openDeliveries == scanned)
        #expect(scanned == ["pending": 3, "sending": 2, "uncertain": 1])
        let backlog = try await store.deliveryBacklog()
        #expect(backlog.sending == 2 && backlog.uncertain == 1 && backlog.retrying + backlog.waiting == 3)
        #expect(try store.hasOpenDeliveries(jobs: [JobID(unchecked: "job-1")]))
        #expect(try store.hasOpenDeliveries(jobs: [JobID(unchecked: "job-2"), JobID(unchecked: "job-3")]))
        #expect(try !store.hasOpenDeliveries(jobs: [JobID(unchecked: "job-3")]))
    }
}
