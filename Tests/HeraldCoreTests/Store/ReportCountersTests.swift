import Foundation
import GRDB
@testable import HeraldCore
import HeraldModel
import Testing

/// The report's figures recomputed from a known history of raw rows; the writers keeping them as they go are
/// checked against this rebuild at the end of the end-to-end tests (`reportCountsDrift`).
@Suite struct ReportCountersTests {
    static let start: Int64 = 1_800_000_000_000

    /// Campaign 1 to subscribers 1–6 and campaign 2 to subscriber 1, with everything that can happen to a delivery.
    static func history(_ db: Database) throws {
        let t = start
        try db.execute(sql: """
            INSERT INTO jobs (id, receipt, kind, account, state, file_name, body, accepted_at, updated_at) VALUES
                ('one', 'r1', 'campaign', 'page', 'running', 'one.json', '{}', \(t), \(t)), ('two', 'r2', 'campaign', 'page', 'running', 'two.json', '{}', \(t), \(t));
            INSERT INTO campaigns (id, job_id, account, kind, priority, state, send_at, audience_expanded, created_at, started_at) VALUES
                (1, 'one', 'page', 'campaign', 1, 'running', \(t), 1, \(t), \(t + 500)), (2, 'two', 'page', 'campaign', 1, 'running', \(t), 1, \(t), \(t + 500));
            INSERT INTO campaign_links (campaign_id, link_index, url) VALUES (1, 0, 'https://a.example/'), (1, 1, 'https://b.example/');
            INSERT INTO subscribers (id, account, platform_id, status, created_at, updated_at) VALUES
                (1, 'page', '11', 'subscribed', 0, 0), (2, 'page', '12', 'subscribed', 0, 0), (3, 'page', '13', 'subscribed', 0, 0),
                (4, 'page', '14', 'subscribed', 0, 0), (5, 'page', '15', 'subscribed', 0, 0), (6, 'page', '16', 'subscribed', 0, 0);
            INSERT INTO deliveries (id, campaign_id, subscriber_id, state, updated_at) VALUES
                (1, 1, 1, 'pending', 0), (2, 1, 2, 'pending', 0), (3, 1, 3, 'pending', 0), (4, 1, 4, 'pending', 0), (5, 1, 5, 'pending', 0), (6, 1, 6, 'pending', 0),
                (7, 2, 1, 'pending', 0);
            -- A retry moves through pending again: only finished states count, each once where it ends.
            UPDATE deliveries SET state = 'sending' WHERE id IN (1, 2, 3, 4);
            UPDATE deliveries SET state = 'pending', error = 'rate limited: Too Many Requests' WHERE id = 4;
            UPDATE deliveries SET state = 'sent', error = NULL, sent_at = \(t + 1_000) WHERE id IN (1, 2);
            UPDATE deliveries SET state = 'failed', error = 'Bad Request' WHERE id = 3;
            UPDATE deliveries SET state = 'pending', error = NULL WHERE id = 3;
            UPDATE deliveries SET state = 'sent', sent_at = \(t + 2_500) WHERE id = 3;
            UPDATE deliveries SET state = 'failed', error = '(#551) This person isn''t available right now.' WHERE id = 5;
            UPDATE deliveries SET state = 'skipped', error = 'cancelled' WHERE id = 6;
            UPDATE deliveries SET state = 'sent' WHERE id = 7;
            INSERT INTO events (kind, at, campaign_id, subscriber_id, delivery_id, detail) VALUES
                ('sent', \(t + 1_000), 1, 1, 1, NULL), ('sent', \(t + 1_200), 1, 2, 2, NULL), ('sent', \(t + 2_500), 1, 3, 3, NULL), ('sent', \(t + 900), 2, 1, 7, NULL),
                ('failed', \(t + 2_000), 1, 5, 5, '{"reason":"(#551)"}'),
                -- Receipts: a duplicate delivery, a read that implies delivery, reads by two people
                ('delivered', \(t + 3_000), 1, 1, 1, '{}'), ('delivered', \(t + 3_100), 1, 1, 1, '{}'), ('read', \(t + 4_000), 1, 1, 1, '{}'),
                ('read', \(t + 4_200), 1, 2, 2, '{}'),
                -- Clicks: one person twice on link 0, a preview bot and an unknown agent, another person on link 1, a button tap
                ('click', \(t + 5_000), 1, 1, 1, '{"link":0,"via":"redirect","agent":"human"}'), ('click', \(t + 5_100), 1, 1, 1, '{"link":0,"via":"redirect","agent":"human"}'),
                ('click', \(t + 5_200), 1, 1, 1, '{"link":0,"via":"redirect","agent":"preview_bot"}'), ('click', \(t + 5_300), 1, 2, 2, '{"link":1,"via":"redirect","agent":"unknown"}'),
                ('click', \(t + 65_000), 1, 2, 2, '{"link":1,"via":"redirect","agent":"human"}'), ('click', \(t + 66_000), 1, 3, 3, '{"payload":"more"}');
            -- Leaving: subscriber 2 after the start counts for campaign 1; subscriber 4 blocked the bot before it started.
            INSERT INTO events (kind, at, account, subscriber_id, detail) VALUES ('unsubscribed', \(t + 70_000), 'page', 2, '{}'), ('blocked', \(t + 100), 'page', 4, '{}');
            """)
    }

    @Test func rebuild_countsEveryFigureOfAKnownHistory() async throws {
        let store = try HeraldStore.inMemory()
        try await store.database.write { db in try Self.history(db) }
        // Written behind the writers' backs, the history shows as drift; the check leaves the rebuilt figures
        let drift = try await store.reportCountsDrift()
        #expect(drift.contains("rebuilt 1 audience 6") && drift.contains("rebuilt 1 people:left 1"), "\(drift)")
        #expect(!drift.contains { $0.hasPrefix("kept ") })
        let platforms = ["page": Platform.messenger]
        let report = try #require(try await store.campaignReport(jobID: "one", platforms: platforms))
        let funnel = report.funnel
        #expect(funnel.audience == 6)
        #expect(funnel.sent == 3)
        #expect(funnel.failed == [CampaignFunnel.Reason(reason: "(#551) This person isn't available right now.", count: 1)])
        #expect(funnel.skipped == [CampaignFunnel.Reason(reason: "cancelled", count: 1)])
        #expect(funnel.pending == 1)
        #expect(funnel.reportedDelivered == 2 && funnel.reportedRead == 2)
        #expect(funnel.clickedHumans == 3 && funnel.humanClicks == 4)
        #expect(funnel.previewBotFetches == 1 && funnel.unknownFetches == 1)
        // Subscriber 4 blocked the bot before the campaign started: not counted as lost to it
        #expect(funnel.unsubscribed == 1)
        #expect(report.targets == [
            CampaignReport.Target(kind: "link", value: "https://a.example/", humans: 1, total: 2, bots: 1),
            CampaignReport.Target(kind: "link", value: "https://b.example/", humans: 1, total: 1, bots: 1),
            CampaignReport.Target(kind: "button", value: "more", humans: 1, total: 1, bots: 0),
        ])
        // Sends, reads and human clicks by the second, in buckets from the start's second
        #expect(report.bucketSeconds == 5)
        #expect(report.series.reduce(0) { $0 + $1.sent } == 3 && report.series.reduce(0) { $0 + $1.read } == 2 && report.series.reduce(0) { $0 + $1.clicks } == 4)
        #expect(report.series.first == CampaignReport.Bucket(start: Self.start, sent: 3, read: 2, clicks: 0))
        #expect(report.series[1] == CampaignReport.Bucket(start: Self.start + 5_000, sent: 0, read: 0, clicks: 2))
        #expect(report.series.count == 14)
        #expect(report.series.last?.clicks == 2)
        let other = try #require(try await store.campaignReport(jobID: "two", platforms: platforms)).funnel
        #expect(other.audience == 1 && other.sent == 1 && other.unsubscribed == 0)

        // Rebuilt again, it lands on the same figures
        #expect(try await store.reportCountsDrift().isEmpty)
        #expect(try await store.campaignReport(jobID: "one", platforms: platforms) == report)
    }

    @Test func reportStatements_readTheirCampaignsFiguresByKey() throws {
        let store = try HeraldStore.inMemory()
        for sql in [
            "SELECT name, n FROM campaign_counts WHERE campaign_id = 1",
            "SELECT max(second) FROM campaign_seconds WHERE campaign_id = 1",
            "SELECT (second - 0) / 5 AS slot, sum(sent) FROM campaign_seconds WHERE campaign_id = 1 AND second >= 0 GROUP BY slot",
        ] {
            let plan = try QueryPlanTests.plan(store, sql)
            #expect(plan.contains("USING PRIMARY KEY (campaign_id=?") || plan.contains("USING PRIMARY KEY (campaign_id=? AND second>?)"), "\(sql): \(plan)")
        }
        // The trigger that finds the campaigns someone leaves walks that subscriber's deliveries, not the table
        let left = try QueryPlanTests.plan(store, """
            SELECT d.campaign_id FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id WHERE d.subscriber_id = 7 AND c.started_at IS NOT NULL AND c.started_at <= 5
            """)
        #expect(left.contains("deliveries_subscriber"), "\(left)")
    }
}
