import Foundation
import GRDB
@testable import HeraldCore
import Testing

/// The hot statements use the indexes they were written for: a plan that falls back to scanning a campaign's
/// deliveries costs a million-recipient campaign a million row reads per pass.
@Suite struct QueryPlanTests {
    static func plan(_ store: HeraldStore, _ sql: String) throws -> String {
        try store.database.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String }.joined(separator: "; ")
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
}
