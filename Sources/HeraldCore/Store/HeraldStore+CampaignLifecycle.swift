import Foundation
import GRDB
import HeraldModel

/// Campaigns through their states: started when due, expired, failed, completed, summarised.
extension HeraldStore {
    /// Applies expiry: scheduled campaigns past their `expires_at` never start (state `expired`); running ones
    /// have their pending deliveries skipped as `expired` and then complete. Returns the job ids it touched.
    static func expireCampaigns(_ db: Database, now: Date) throws -> [String] {
        let ms = now.millisecondsSince1970
        let scheduled = try Row.fetchAll(db, sql: "SELECT id, job_id FROM campaigns WHERE state = 'scheduled' AND expires_at <= ?", arguments: [ms])
        for row in scheduled {
            try db.execute(sql: "UPDATE campaigns SET state = 'expired', finished_at = ? WHERE id = ?", arguments: [ms, row["id"] as Int64])
            try db.execute(sql: "UPDATE jobs SET state = 'expired', updated_at = ? WHERE id = ?", arguments: [ms, row["job_id"] as String])
        }
        let running = try Row.fetchAll(db, sql: "SELECT id, job_id FROM campaigns WHERE state = 'running' AND expires_at <= ? AND (audience_expanded = 0 OR EXISTS (SELECT 1 FROM deliveries d WHERE d.campaign_id = campaigns.id AND d.state IN ('pending', 'uncertain')))", arguments: [ms])
        for row in running {
            let id: Int64 = row["id"]
            try db.execute(sql: """
                INSERT INTO events (kind, at, campaign_id, subscriber_id, delivery_id, detail)
                SELECT 'skipped', ?, campaign_id, subscriber_id, id, '{"reason":"expired"}' FROM deliveries WHERE campaign_id = ? AND state IN ('pending', 'uncertain')
                """, arguments: [ms, id])
            try db.execute(sql: "UPDATE deliveries SET state = 'skipped', error = 'expired', updated_at = ? WHERE campaign_id = ? AND state IN ('pending', 'uncertain')", arguments: [ms, id])
            try ReportCounters.moved(db, campaign: id, count: db.changesCount, from: nil, to: ReportCounters.outcome("skipped", "expired"))
            // Nobody else from the audience will get it: the expansion is over.
            try db.execute(sql: "UPDATE campaigns SET audience_expanded = 1 WHERE id = ?", arguments: [id])
        }
        return scheduled.map { $0["job_id"] } + running.map { $0["job_id"] }
    }

    /// Starts campaigns whose time has come; returns their ids.
    public func startDueCampaigns(now: Date) throws -> [Int64] {
        try database.write { db in try Self.startDueCampaigns(db, now: now) }
    }

    static func startDueCampaigns(_ db: Database, now: Date) throws -> [Int64] {
        let ms = now.millisecondsSince1970
        let ids = try Int64.fetchAll(db, sql: "SELECT id FROM campaigns WHERE state = 'scheduled' AND send_at <= ? ORDER BY priority, send_at", arguments: [ms])
        for id in ids {
            try db.execute(sql: "UPDATE campaigns SET state = 'running', started_at = coalesce(started_at, ?) WHERE id = ?", arguments: [ms, id])
            try db.execute(sql: "UPDATE jobs SET state = 'running', updated_at = ? WHERE id = (SELECT job_id FROM campaigns WHERE id = ?)", arguments: [ms, id])
        }
        return ids
    }

    /// Campaigns in the `running` state.
    public func runningCampaigns() throws -> [RunningCampaign] {
        try database.read { db in try Self.runningCampaigns(db) }
    }

    static func runningCampaigns(_ db: Database) throws -> [RunningCampaign] {
        try Row.fetchAll(db, sql: """
            SELECT c.id, c.job_id, c.account, c.kind, c.priority, c.audience_expanded, c.expires_at, c.spec, CASE WHEN c.spec IS NULL THEN j.body END AS body, c.requeued_at
            FROM campaigns c LEFT JOIN jobs j ON j.id = c.job_id WHERE c.state = 'running' ORDER BY c.priority, c.id
            """).map {
            var campaign = RunningCampaign(
                id: $0["id"], jobID: $0["job_id"], account: $0["account"], priority: $0["priority"], audienceExpanded: $0["audience_expanded"],
                expiresAt: $0["expires_at"], spec: $0["spec"], jobBody: $0["body"]
            )
            campaign.kind = CampaignDraft.Kind(rawValue: $0["kind"]) ?? .campaign
            campaign.requeuedAt = $0["requeued_at"]
            return campaign
        }
    }

    /// Fails a campaign that cannot be sent (its job no longer validates: its account was removed, say): the
    /// campaign and its job are `failed` with the reason, and its pending deliveries fail with it.
    public func failCampaign(_ id: Int64, reason: String, now: Date) async throws {
        try await database.write { db in try Self.failCampaign(db, id, reason: reason, now: now) }
    }

    static func failCampaign(_ db: Database, _ id: Int64, reason: String, now: Date) throws {
        let ms = now.millisecondsSince1970
        try db.execute(sql: """
        INSERT INTO events (kind, at, campaign_id, subscriber_id, delivery_id, detail)
        SELECT 'failed', ?, campaign_id, subscriber_id, id, ? FROM deliveries WHERE campaign_id = ? AND state IN ('pending', 'uncertain')
        """, arguments: [ms, JSONValue.object(["reason": .string(reason)]).jsonText, id])
        try db.execute(sql: "UPDATE deliveries SET state = 'failed', error = ?, updated_at = ? WHERE campaign_id = ? AND state IN ('pending', 'uncertain')", arguments: [reason, ms, id])
        try ReportCounters.moved(db, campaign: id, count: db.changesCount, from: nil, to: ReportCounters.outcome("failed", reason))
        try db.execute(sql: "UPDATE campaigns SET state = 'failed', finished_at = ? WHERE id = ?", arguments: [ms, id])
        try db.execute(sql: "UPDATE jobs SET state = 'failed', detail = ?, updated_at = ? WHERE id = (SELECT job_id FROM campaigns WHERE id = ?)", arguments: [reason, ms, id])
    }

    /// A finished campaign's outcome in one line: `1498 sent, 2 failed (Forbidden: bot was blocked by the user: 2), 0 skipped`.
    static func campaignSummary(_ db: Database, jobID: String) throws -> String {
        let counts = try Row.fetchAll(db, sql: """
        SELECT d.state, d.error, count(*) AS n FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id
        WHERE c.job_id = ? GROUP BY d.state, d.error ORDER BY n DESC
        """, arguments: [jobID])
        var parts: [String] = []
        for state in ["sent", "failed", "skipped"] {
        let rows = counts.filter { ($0["state"] as String) == state }
        let total = rows.reduce(0) { $0 + ($1["n"] as Int) }
        let reasons = rows.compactMap { row -> String? in (row["error"] as String?).map { "\($0): \(row["n"] as Int)" } }.prefix(3)
        parts.append("\(total) \(state)" + (state != "sent" && !reasons.isEmpty ? " (\(reasons.joined(separator: "; ")))" : ""))
        }
        let flagged = try Int.fetchOne(db, sql: "SELECT count(*) FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id WHERE c.job_id = ? AND d.possible_duplicate = 1", arguments: [jobID]) ?? 0
        if flagged > 0 { parts.append("\(flagged) possible duplicates") }
        return parts.joined(separator: ", ")
    }

    /// Completes running campaigns with a fully expanded audience and no open deliveries; returns their job ids.
    static func completeFinishedCampaigns(_ db: Database, now: Date) throws -> [String] {
        let ms = now.millisecondsSince1970
        let finished = try String.fetchAll(db, sql: """
        SELECT job_id FROM campaigns c WHERE state = 'running' AND audience_expanded = 1
        AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.campaign_id = c.id AND d.state IN ('pending', 'uncertain'))
        AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.state = 'sending' AND d.campaign_id = c.id)
        """)
        for job in finished {
        try db.execute(sql: "UPDATE campaigns SET state = 'completed', finished_at = ? WHERE job_id = ?", arguments: [ms, job])
        try db.execute(sql: "UPDATE jobs SET state = 'completed', updated_at = ? WHERE id = ?", arguments: [ms, job])
        }
        return finished
    }

    /// One housekeeping pass, in one transaction off the caller's thread: expiry, due starts, completions (with
    /// their summaries), the running set and the next scheduled start.
    public func housekeep(now: Date) async throws -> Housekeeping {
        try await database.write { db in
            var pass = Housekeeping()
            pass.expired = try Self.expireCampaigns(db, now: now)
            pass.started = try Self.startDueCampaigns(db, now: now)
            pass.completed = try Self.completeFinishedCampaigns(db, now: now).map { job in
                Housekeeping.Completion(jobID: job, summary: try Self.campaignSummary(db, jobID: job))
            }
            pass.running = try Self.runningCampaigns(db)
            // When the next scheduled campaign starts (wall-clock ms), if one is scheduled.
        pass.nextScheduledStart = try Int64.fetchOne(db, sql: "SELECT min(send_at) FROM campaigns WHERE state = 'scheduled'")
            return pass
        }
    }
}
