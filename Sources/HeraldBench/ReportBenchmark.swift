import Foundation
import GRDB
import HeraldCore
import HeraldModel

/// One campaign's report over a store of ten million events, against the bare indexed query that counts that
/// campaign's events by kind, measured in the same run. The store is built once with SQL (132 Messenger
/// campaigns of 50,000 recipients each: sends as delivery rows, and deliveries, reads, clicks by people and preview
/// bots, failures as events) and kept in the temporary directory for the next run.
enum ReportBenchmark {
    static let campaigns = 132
    static let audience = 50_000
    static let subscribers = 200_000

    static func run(runs: Int) async throws {
        let (path, fresh) = try build()
        if fresh {
            let seconds = try await rebuild(path)
            let events = try await DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0 }
            emit(["name": "report_rebuild", "unit": "s", "median": (seconds * 10).rounded() / 10, "runs": 1, "events": events])
        }
        let store = try HeraldStore(readingAt: path)
        let reader = try DatabaseQueue(path: path, configuration: { var c = Configuration(); c.readonly = true; return c }())
        let events = try await reader.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0 }
        let platforms = ["bench_page": Platform.messenger]
        let middle = "c\(campaigns / 2)"
        let campaignID = Int64(campaigns / 2)
        var report: [Double] = [], funnel: [Double] = [], bare: [Double] = []
        var check: CampaignReport?
        for round in 0..<(max(runs, 3) * 5 + 3) {
            var start = Date()
            let bareCounts = try await reader.read { db in
                try Row.fetchAll(db, sql: "SELECT kind, count(*) FROM events WHERE campaign_id = ? GROUP BY kind", arguments: [campaignID]).count
            }
            let bareTime = Date().timeIntervalSince(start) * 1000
            start = Date()
            check = try await store.campaignReport(jobID: middle, platforms: platforms)
            let reportTime = Date().timeIntervalSince(start) * 1000
            start = Date()
            _ = try await store.campaignFunnels(platforms: platforms)
            let listTime = Date().timeIntervalSince(start) * 1000 / Double(campaigns)
            // The first rounds warm the page cache; they are not counted.
            guard round >= 3, bareCounts > 0 else { continue }
            bare.append(bareTime)
            report.append(reportTime)
            funnel.append(listTime)
        }
        guard let check, check.funnel.audience == audience else {
            throw BenchError("the report of \(middle) did not come back whole: \(String(describing: check?.funnel))")
        }
        let reference = Summary(values: bare)
        emit(reference.json("report_bare_query", unit: "ms", extra: ["events": events, "campaign_sends_and_events": check.funnel.sent + check.funnel.reportedDelivered + check.funnel.reportedRead]))
        emit(Summary(values: report).json("report_one_campaign", unit: "ms", extra: ["events": events, "ratio_to_bare_query": Summary(values: report).median / reference.median, "target_ms": 100, "target_ratio": 1.5]))
        emit(Summary(values: funnel).json("report_list_per_campaign", unit: "ms", extra: ["events": events, "campaigns": campaigns]))
    }

    /// The store, built once per schema: reused when the file is already there and whole.
    static func build() throws -> (path: String, fresh: Bool) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("herald-bench-report-\(campaigns)x\(audience).sqlite").path
        if FileManager.default.fileExists(atPath: path), let queue = try? DatabaseQueue(path: path),
           (try? queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM campaign_counts WHERE name = 'audience'") }) == campaigns {
            return (path, false)
        }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        _ = try HeraldStore(path: path)
        // Built without fsync: a benchmark fixture, rebuilt if a crash leaves it half made.
        let queue = try DatabaseQueue(path: path, configuration: { var c = Configuration(); c.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = OFF") }; return c }())
        let started = Date()
        FileHandle.standardError.write(Data("herald-bench: building a store of about ten million events at \(path) (once)…\n".utf8))
        let t0: Int64 = 1_790_000_000_000
        try queue.write { db in
            try db.execute(sql: """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
                INSERT INTO subscribers (id, account, platform_id, status, source, first_name, subscribed_at, unsubscribed_at, created_at, updated_at)
                SELECT i, 'bench_page', CAST(1000000000000000 + i AS TEXT), CASE WHEN i % 97 = 0 THEN 'unsubscribed' ELSE 'subscribed' END,
                       CASE i % 3 WHEN 0 THEN 'qr_code' WHEN 1 THEN 'get_started' ELSE 'm.me' END, 'N' || i, ?, CASE WHEN i % 97 = 0 THEN ? END, ?, ?
                FROM n
                """, arguments: [subscribers, t0, t0 + Int64(campaigns) * 86_400_000, t0, t0])
            try db.execute(sql: """
                INSERT INTO events (kind, at, account, subscriber_id, detail)
                SELECT 'subscribed', subscribed_at, account, id, '{"source":"' || source || '"}' FROM subscribers
                """)
        }
        for c in 1...campaigns {
            let start = t0 + Int64(c) * 86_400_000
            let first = ((c - 1) * 2_500) % subscribers
            try queue.write { db in
                try db.execute(sql: """
                    INSERT INTO jobs (id, receipt, kind, account, state, file_name, body, accepted_at, updated_at)
                    VALUES (?, ?, 'campaign', 'bench_page', 'completed', 'c.json', '{}', ?, ?)
                    """, arguments: ["c\(c)", "r\(c)", start, start])
                try db.execute(sql: """
                    INSERT INTO campaigns (id, job_id, account, name, kind, priority, state, send_at, audience_expanded, created_at, started_at, finished_at)
                    VALUES (?, ?, 'bench_page', ?, 'campaign', 1, 'completed', ?, 1, ?, ?, ?)
                    """, arguments: [c, "c\(c)", "Campaign \(c)", start, start, start, start + 3_600_000])
                try db.execute(sql: "INSERT INTO campaign_links (campaign_id, link_index, url) VALUES (?, 0, 'https://shop.example/a'), (?, 1, 'https://shop.example/b')", arguments: [c, c])
                // Sent over an hour; 2 % fail, 90 % of the rest are delivered, 60 % read.
                try db.execute(sql: """
                    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)
                    INSERT INTO deliveries (campaign_id, subscriber_id, state, error, attempts, sent_at, updated_at, delivered_at, read_at, parts_sent)
                    SELECT ?, 1 + (? + i) % ?,
                           CASE WHEN i % 50 = 7 THEN 'failed' ELSE 'sent' END,
                           CASE WHEN i % 50 = 7 THEN (CASE WHEN i % 100 = 7 THEN '(#551) This person isn''t available right now.' ELSE 'gave up after 9 attempts in 24 h: HTTP 502' END) END,
                           1, ? + i * 72, ? + i * 72,
                           CASE WHEN i % 50 != 7 AND i % 10 < 9 THEN ? + i * 72 + 5000 END,
                           CASE WHEN i % 50 != 7 AND i % 10 < 6 THEN ? + i * 72 + 600000 END, 1
                    FROM n
                    """, arguments: [audience, c, first, subscribers, start, start, start, start])
                // A send is its delivery row; only failures are events, as Herald writes them.
                try db.execute(sql: """
                    INSERT INTO events (kind, at, account, campaign_id, subscriber_id, delivery_id, detail)
                    SELECT 'failed', sent_at, 'bench_page', campaign_id, subscriber_id, id, json_object('reason', error)
                    FROM deliveries WHERE campaign_id = ? AND state = 'failed'
                    """, arguments: [c])
                try db.execute(sql: """
                    INSERT INTO events (kind, at, account, campaign_id, subscriber_id, delivery_id, detail)
                    SELECT 'delivered', delivered_at, 'bench_page', campaign_id, subscriber_id, id, '{"watermark":' || delivered_at || '}'
                    FROM deliveries WHERE campaign_id = ? AND delivered_at IS NOT NULL
                    """, arguments: [c])
                try db.execute(sql: """
                    INSERT INTO events (kind, at, account, campaign_id, subscriber_id, delivery_id, detail)
                    SELECT 'read', read_at, 'bench_page', campaign_id, subscriber_id, id, '{"watermark":' || read_at || '}'
                    FROM deliveries WHERE campaign_id = ? AND read_at IS NOT NULL
                    """, arguments: [c])
                // Clicks: 5 % of the audience follow a link (one in ten of them twice), link previews fetch 1 %, a button is tapped by 1 %.
                try db.execute(sql: """
                    INSERT INTO events (kind, at, account, campaign_id, subscriber_id, delivery_id, detail)
                    SELECT 'click', read_at + 30000 * k, 'bench_page', campaign_id, subscriber_id, id,
                           json_object('link', id % 3 % 2, 'via', 'redirect', 'agent', CASE WHEN id % 100 = 3 THEN 'preview_bot' ELSE 'human' END)
                    FROM deliveries, (SELECT 1 AS k UNION ALL SELECT 2)
                    WHERE campaign_id = ? AND read_at IS NOT NULL AND (id % 20 = 2 OR id % 100 = 3) AND (k = 1 OR id % 200 = 42)
                    """, arguments: [c])
                try db.execute(sql: """
                    INSERT INTO events (kind, at, account, campaign_id, subscriber_id, delivery_id, detail)
                    SELECT 'click', read_at + 45000, 'bench_page', campaign_id, subscriber_id, id, json_object('payload', 'more')
                    FROM deliveries WHERE campaign_id = ? AND read_at IS NOT NULL AND id % 100 = 11
                    """, arguments: [c])
            }
        }
        try queue.write { db in try db.execute(sql: "ANALYZE") }
        let count = try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0 }
        try queue.close()
        FileHandle.standardError.write(Data("herald-bench: \(count) events in \(Int(Date().timeIntervalSince(started))) s\n".utf8))
        return (path, true)
    }

    /// The figures the reports read, recomputed from the raw rows the fixture wrote (`herald report --rebuild`).
    static func rebuild(_ path: String) async throws -> Double {
        let started = Date()
        _ = try await HeraldStore(path: path).rebuildReportCounts()
        return Date().timeIntervalSince(started)
    }
}
