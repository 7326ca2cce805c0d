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
}
