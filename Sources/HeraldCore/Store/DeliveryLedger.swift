import Foundation
import GRDB
import HeraldModel

/// The delivery ledger: one row per (campaign, recipient) moving pending → sending → sent / failed / skipped,
/// written before and after each API call, in batches.
extension HeraldStore {
    /// A campaign being sent: what the dispatcher needs to track it (its job text is read once, by `jobBody`).
    public struct RunningCampaign: Sendable {
        public var id: Int64
        public var jobID: String
        public var account: String
        public var priority: Int
        public var audienceExpanded: Bool
        /// Wall-clock ms after which nothing more of it is sent.
        public var expiresAt: Int64? = nil
        /// Its stored `CampaignSpec` (nil for campaigns accepted before specs were stored).
        public var spec: String? = nil
    }

    /// After a crash: deliveries caught in `sending` may or may not have gone out; they become `uncertain`, due
    /// again after `wait` seconds (time for Messenger's echoes to reconcile them; a crash loop cannot resend
    /// them faster than that).
    @discardableResult
    public func markInFlightUncertain(now: Date, wait: Int64 = 60) throws -> Int {
        try pool.write { db in
            let ms = now.millisecondsSince1970
            try db.execute(sql: """
                INSERT INTO events (kind, at, campaign_id, subscriber_id, delivery_id, detail)
                SELECT 'uncertain', ?, campaign_id, subscriber_id, id, '{"reason":"in flight at a crash"}' FROM deliveries WHERE state = 'sending'
                """, arguments: [ms])
            try db.execute(
                sql: "UPDATE deliveries SET state = 'uncertain', next_attempt_at = ?, updated_at = ? WHERE state = 'sending'",
                arguments: [ms + wait * 1000, ms]
            )
            return db.changesCount
        }
    }

    /// Applies expiry: scheduled campaigns past their `expires_at` never start (state `expired`); running ones
    /// have their pending deliveries skipped as `expired` and then complete. Returns the job ids it touched.
    public func expireCampaigns(now: Date) throws -> [String] {
        let ms = now.millisecondsSince1970
        let due = try pool.read { db in
            try String.fetchAll(db, sql: "SELECT job_id FROM campaigns WHERE state IN ('scheduled', 'running') AND expires_at IS NOT NULL AND expires_at <= ?", arguments: [ms])
        }
        guard !due.isEmpty else { return [] }
        return try pool.write { db in
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
                // Nobody else from the audience will get it: the expansion is over.
                try db.execute(sql: "UPDATE campaigns SET audience_expanded = 1 WHERE id = ?", arguments: [id])
            }
            return scheduled.map { $0["job_id"] } + running.map { $0["job_id"] }
        }
    }

    /// Starts campaigns whose time has come; returns their ids.
    public func startDueCampaigns(now: Date) throws -> [Int64] {
        try pool.write { db in
            let ms = now.millisecondsSince1970
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM campaigns WHERE state = 'scheduled' AND send_at <= ? ORDER BY priority, send_at", arguments: [ms])
            for id in ids {
                try db.execute(sql: "UPDATE campaigns SET state = 'running', started_at = coalesce(started_at, ?) WHERE id = ?", arguments: [ms, id])
                try db.execute(sql: "UPDATE jobs SET state = 'running', updated_at = ? WHERE id = (SELECT job_id FROM campaigns WHERE id = ?)", arguments: [ms, id])
            }
            return ids
        }
    }

    /// Campaigns in the `running` state.
    public func runningCampaigns() throws -> [RunningCampaign] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, job_id, account, priority, audience_expanded, expires_at, spec FROM campaigns WHERE state = 'running' ORDER BY priority, id
                """).map {
                RunningCampaign(
                    id: $0["id"], jobID: $0["job_id"], account: $0["account"], priority: $0["priority"], audienceExpanded: $0["audience_expanded"],
                    expiresAt: $0["expires_at"], spec: $0["spec"]
                )
            }
        }
    }

    /// The text of a job as it was accepted (for campaigns stored before their spec was).
    public func jobBody(_ id: String) throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT body FROM jobs WHERE id = ?", arguments: [id]) }
    }

    /// Adds up to `batch` deliveries for the next subscribers of an `all` or `tags` audience, in id order,
    /// so a million-recipient audience is never in memory. Returns true once the audience is fully expanded.
    public func expandAudience(_ campaign: RunningCampaign, audience: AudienceRule, batch: Int, now: Date) async throws -> Bool {
        try await pool.write { db in try Self.expandAudience(db, campaign, audience: audience, batch: batch, now: now) }
    }

    private static func expandAudience(_ db: Database, _ campaign: RunningCampaign, audience: AudienceRule, batch: Int, now: Date) throws -> Bool {
            let cursor = try Int64.fetchOne(db, sql: "SELECT audience_cursor FROM campaigns WHERE id = ?", arguments: [campaign.id]) ?? 0
            var filter = ""
            var arguments: StatementArguments = [campaign.id, now.millisecondsSince1970, campaign.account, cursor]
            if case .tags(let include, let exclude) = audience {
                if !include.isEmpty {
                    filter += " AND s.id IN (SELECT subscriber_id FROM subscriber_tags WHERE tag IN (\(include.map { _ in "?" }.joined(separator: ","))))"
                    arguments += StatementArguments(include)
                }
                if !exclude.isEmpty {
                    filter += " AND s.id NOT IN (SELECT subscriber_id FROM subscriber_tags WHERE tag IN (\(exclude.map { _ in "?" }.joined(separator: ","))))"
                    arguments += StatementArguments(exclude)
                }
            }
            arguments += [batch]
            let last = try Int64.fetchAll(db, sql: """
                INSERT OR IGNORE INTO deliveries (campaign_id, subscriber_id, state, updated_at)
                SELECT ?, s.id, 'pending', ? FROM subscribers s
                WHERE s.account = ? AND s.status = 'subscribed' AND s.id > ?\(filter)
                ORDER BY s.id LIMIT ?
                RETURNING subscriber_id
                """, arguments: arguments).max()
            let done = last == nil
            try db.execute(
                sql: "UPDATE campaigns SET audience_cursor = ?, audience_expanded = ? WHERE id = ?",
                arguments: [last ?? cursor, done, campaign.id]
            )
            return done
    }

    /// The next deliveries of a campaign that are due (pending, or uncertain after a crash), with profiles.
    public func dueDeliveries(campaignID: Int64, after lastID: Int64, limit: Int, now: Date) async throws -> [PendingDelivery] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT d.id, d.campaign_id, d.subscriber_id, d.attempts, d.first_attempt_at, d.parts_sent, d.state,
                       s.platform_id, s.first_name, s.last_name, s.username, s.locale, s.fields, s.status, s.last_inbound_at
                FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
                WHERE d.campaign_id = ? AND d.id > ? AND d.state IN ('pending', 'uncertain') AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= ?)
                ORDER BY d.id LIMIT ?
                """, arguments: [campaignID, lastID, now.millisecondsSince1970, limit]).map { row in
                var fields: [String: String] = [:]
                if let text: String = row["fields"], case .object(let object)? = try? JSONParser().parse(Array(text.utf8)) {
                    for key in object.keys { if case .string(let value) = object[key] { fields[key] = value } }
                }
                let profile = Profile(platformID: row["platform_id"], firstName: row["first_name"], lastName: row["last_name"], username: row["username"], locale: row["locale"], fields: fields)
                return PendingDelivery(id: row["id"], campaignID: row["campaign_id"], subscriberID: row["subscriber_id"], attempts: row["attempts"],
                                   firstAttemptAt: row["first_attempt_at"], partsSent: row["parts_sent"], wasUncertain: (row["state"] as String) == "uncertain",
                                   profile: profile, status: row["status"], lastInboundAt: row["last_inbound_at"])
            }
        }
    }

    /// When the next pending delivery of a campaign that is not due yet will be (wall-clock ms).
    public func nextDueAt(campaignID: Int64, now: Date) async throws -> Int64? {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: """
                SELECT min(next_attempt_at) FROM deliveries WHERE campaign_id = ? AND state IN ('pending', 'uncertain') AND next_attempt_at > ?
                """, arguments: [campaignID, now.millisecondsSince1970])
        }
    }

    /// What one load of a campaign's window found.
    public struct DueBatch: Sendable {
        public var rows: [PendingDelivery]
        /// Nothing more is due now; `nextDueAt` (wall-clock ms) says when something will be.
        public var exhausted: Bool
        public var nextDueAt: Int64?
        /// The audience is fully expanded into deliveries.
        public var expanded: Bool
        /// The audience matched nobody; with the account's tags, to say so usefully.
        public var emptyAudience = false
        public var accountTags: [String] = []
    }

    /// Up to `limit` due deliveries of a campaign after `after`, expanding its audience by a batch first when
    /// the ledger has none left (`expanded` says whether it was complete before).
    public func loadDue(_ campaign: RunningCampaign, audience: AudienceRule, expanded: Bool, after: Int64, limit: Int, now: Date) async throws -> DueBatch {
        var expanded = expanded
        var rows = try await dueDeliveries(campaignID: campaign.id, after: after, limit: limit, now: now)
        if rows.isEmpty && !expanded {
            expanded = try await expandAudience(campaign, audience: audience, batch: 5000, now: now)
            rows = try await dueDeliveries(campaignID: campaign.id, after: after, limit: limit, now: now)
        }
        let exhausted = rows.count < limit && expanded
        let next = exhausted ? try await nextDueAt(campaignID: campaign.id, now: now) : nil
        var batch = DueBatch(rows: rows, exhausted: exhausted, nextDueAt: next, expanded: expanded)
        if rows.isEmpty && expanded && after == 0 {
            let (count, tags) = try await pool.read { db in
                (try Int.fetchOne(db, sql: "SELECT count(*) FROM deliveries WHERE campaign_id = ?", arguments: [campaign.id]) ?? 0,
                 try String.fetchAll(db, sql: """
                    SELECT DISTINCT t.tag FROM subscriber_tags t JOIN subscribers s ON s.id = t.subscriber_id
                    WHERE s.account = ? AND s.status = 'subscribed' ORDER BY t.tag LIMIT 20
                    """, arguments: [campaign.account]))
            }
            batch.emptyAudience = count == 0
            batch.accountTags = tags
        }
        return batch
    }

    /// When the next scheduled campaign starts (wall-clock ms), if one is scheduled.
    public func nextScheduledStart() throws -> Int64? {
        try pool.read { db in try Int64.fetchOne(db, sql: "SELECT min(send_at) FROM campaigns WHERE state = 'scheduled'") }
    }

    /// Marks deliveries as being sent, just before their API calls go out; returns those marked. A delivery
    /// whose campaign was paused or cancelled since it was loaded, whose subscriber left, or that is no longer
    /// due, is left alone (a later load skips it with the subscriber's status).
    public func markSending(_ ids: [Int64], now: Date) throws -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        return try pool.write { db in try Self.markSending(db, ids, now: now) }
    }

    /// `markSending` off the caller's thread.
    public func markSending(_ ids: [Int64], now: Date) async throws -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        return try await pool.write { db in try Self.markSending(db, ids, now: now) }
    }

    private static func markSending(_ db: Database, _ ids: [Int64], now: Date) throws -> Set<Int64> {
            let statement = try db.cachedStatement(sql: """
                UPDATE deliveries SET state = 'sending', attempts = attempts + 1, first_attempt_at = coalesce(first_attempt_at, ?), updated_at = ?
                WHERE id = ? AND state IN ('pending', 'uncertain')
                AND (SELECT state FROM campaigns WHERE campaigns.id = deliveries.campaign_id) = 'running'
                AND (SELECT status FROM subscribers WHERE subscribers.id = deliveries.subscriber_id) = 'subscribed'
                """)
            let ms = now.millisecondsSince1970
            var marked = Set<Int64>()
            for id in ids {
                try statement.execute(arguments: [ms, ms, id])
                if db.changesCount > 0 { marked.insert(id) }
            }
            return marked
    }

    /// Records a batch of outcomes, their events and subscriber changes in one transaction.
    public func record(_ results: [DeliveryResult], now: Date) throws {
        guard !results.isEmpty else { return }
        try pool.write { db in try Self.record(db, results, now: now) }
    }

    /// `record` off the caller's thread.
    public func record(_ results: [DeliveryResult], now: Date) async throws {
        guard !results.isEmpty else { return }
        try await pool.write { db in try Self.record(db, results, now: now) }
    }

    private static func record(_ db: Database, _ results: [DeliveryResult], now: Date) throws {
            let ms = now.millisecondsSince1970
            let update = try db.cachedStatement(sql: """
                UPDATE deliveries SET state = ?, platform_message_id = coalesce(?, platform_message_id), error = ?, parts_sent = ?,
                    next_attempt_at = ?, sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END,
                    possible_duplicate = possible_duplicate OR ?, updated_at = ?
                WHERE id = ?
                """)
            let event = try db.cachedStatement(sql: "INSERT INTO events (kind, at, account, campaign_id, subscriber_id, delivery_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)")
            for result in results {
                try update.execute(arguments: [result.state.rawValue, result.messageID, result.reason, result.partsSent, result.nextAttemptAt,
                                               result.state.rawValue, ms, result.possibleDuplicate, ms, result.deliveryID])
                let kind: String? = switch result.state {
                case .sent: "sent"
                case .failed: "failed"
                case .skipped: "skipped"
                case .uncertain: "uncertain"
                case .pending: nil
                }
                if let kind {
                    var detail = JSONObject()
                    if let reason = result.reason { detail.insert("reason", .string(reason)) }
                    if let id = result.messageID { detail.insert("message_id", .string(id)) }
                    if result.possibleDuplicate { detail.insert("possible_duplicate", .bool(true)) }
                    try event.execute(arguments: [kind, ms, result.account, result.campaignID, result.subscriberID, result.deliveryID, JSONValue.object(detail).jsonText])
                }
                if let status = result.subscriberStatus {
                    try db.execute(sql: "UPDATE subscribers SET status = ?, unsubscribed_at = coalesce(unsubscribed_at, ?), updated_at = ? WHERE id = ? AND status != ?",
                                   arguments: [status, ms, ms, result.subscriberID, status])
                    if db.changesCount > 0 {
                        try event.execute(arguments: [status == "blocked" ? "blocked" : "unsubscribed", ms, result.account, result.campaignID, result.subscriberID, result.deliveryID,
                                                      JSONValue.object(["status": .string(status), "reason": .string(result.reason ?? "")]).jsonText])
                    }
                }
                if let chat = result.migratedChatID {
                    try db.execute(sql: "UPDATE OR IGNORE subscribers SET platform_id = ?, updated_at = ? WHERE id = ?", arguments: [chat, ms, result.subscriberID])
                }
            }
    }

    /// Fails a campaign that cannot be sent (its job no longer validates: its account was removed, say): the
    /// campaign and its job are `failed` with the reason, and its pending deliveries fail with it.
    public func failCampaign(_ id: Int64, reason: String, now: Date) throws {
        try pool.write { db in
            let ms = now.millisecondsSince1970
            try db.execute(sql: """
                INSERT INTO events (kind, at, campaign_id, subscriber_id, delivery_id, detail)
                SELECT 'failed', ?, campaign_id, subscriber_id, id, ? FROM deliveries WHERE campaign_id = ? AND state IN ('pending', 'uncertain')
                """, arguments: [ms, JSONValue.object(["reason": .string(reason)]).jsonText, id])
            try db.execute(sql: "UPDATE deliveries SET state = 'failed', error = ?, updated_at = ? WHERE campaign_id = ? AND state IN ('pending', 'uncertain')", arguments: [reason, ms, id])
            try db.execute(sql: "UPDATE campaigns SET state = 'failed', finished_at = ? WHERE id = ?", arguments: [ms, id])
            try db.execute(sql: "UPDATE jobs SET state = 'failed', detail = ?, updated_at = ? WHERE id = (SELECT job_id FROM campaigns WHERE id = ?)", arguments: [reason, ms, id])
        }
    }

    /// A finished campaign's outcome in one line: `1498 sent, 2 failed (Forbidden: bot was blocked by the user: 2), 0 skipped`.
    public func campaignSummary(jobID: String) throws -> String {
        try pool.read { db in
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
    }

    /// Completes running campaigns with a fully expanded audience and no open deliveries; returns their job ids.
    public func completeFinishedCampaigns(now: Date) throws -> [String] {
        try pool.write { db in
            let ms = now.millisecondsSince1970
            let finished = try String.fetchAll(db, sql: """
                SELECT job_id FROM campaigns c WHERE state = 'running' AND audience_expanded = 1
                AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.campaign_id = c.id AND d.state IN ('pending', 'sending', 'uncertain'))
                """)
            for job in finished {
                try db.execute(sql: "UPDATE campaigns SET state = 'completed', finished_at = ? WHERE job_id = ?", arguments: [ms, job])
                try db.execute(sql: "UPDATE jobs SET state = 'completed', updated_at = ? WHERE id = ?", arguments: [ms, job])
            }
            return finished
        }
    }
}
