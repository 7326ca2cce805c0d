import Foundation
import GRDB
import HeraldModel

/// A running campaign's audience, expanded into deliveries batch by batch, and the windows of due deliveries.
extension HeraldStore {
    /// Adds up to `batch` deliveries for the next subscribers of an `all` or `tags` audience, in id order,
    /// so a million-recipient audience is never in memory. Returns true once the audience is fully expanded.
    public func expandAudience(_ campaign: RunningCampaign, audience: AudienceRule, batch: Int, now: Date) async throws -> Bool {
        try await database.write { db in try Self.expandAudience(db, campaign, audience: audience, batch: batch, now: now) }
    }

    private static func expandAudience(_ db: Database, _ campaign: RunningCampaign, audience: AudienceRule, batch: Int, now: Date) throws -> Bool {
            let cursor = try Int64.fetchOne(db, sql: "SELECT audience_cursor FROM campaigns WHERE id = ?", arguments: [campaign.id]) ?? 0
            var arguments: StatementArguments = [campaign.id, now.millisecondsSince1970, campaign.account, cursor]
            var filter = ""
            if case .tags(let include, let exclude) = audience {
                let tags = tagFilter(include: include, exclude: exclude)
                filter = tags.sql
                arguments += tags.arguments
            }
            arguments += [batch]
            let added = try Int64.fetchAll(db, sql: """
                INSERT OR IGNORE INTO deliveries (campaign_id, subscriber_id, state, updated_at)
                SELECT ?, s.id, 'pending', ? FROM subscribers s
                WHERE s.account = ? AND s.status = 'subscribed' AND s.id > ?\(filter)
                ORDER BY s.id LIMIT ?
                RETURNING subscriber_id
                """, arguments: arguments)
            try ReportCounters.add(db, campaign: campaign.id, "audience", added.count)
            let last = added.max()
            let done = last == nil
            try db.execute(
                sql: "UPDATE campaigns SET audience_cursor = ?, audience_expanded = ? WHERE id = ?",
                arguments: [last ?? cursor, done, campaign.id]
            )
            return done
    }

    /// ` AND …` keeping subscribers (`s`) with any of `include` (all when empty) and none of `exclude`.
    static func tagFilter(include: [String], exclude: [String]) -> (sql: String, arguments: StatementArguments) {
        var sql = ""
        var arguments = StatementArguments()
        if !include.isEmpty {
            sql += " AND s.id IN (SELECT subscriber_id FROM subscriber_tags WHERE tag IN (\(include.map { _ in "?" }.joined(separator: ","))))"
            arguments += StatementArguments(include)
        }
        if !exclude.isEmpty {
            sql += " AND s.id NOT IN (SELECT subscriber_id FROM subscriber_tags WHERE tag IN (\(exclude.map { _ in "?" }.joined(separator: ","))))"
            arguments += StatementArguments(exclude)
        }
        return (sql, arguments)
    }

    /// The next deliveries of a campaign that are due (pending, or uncertain after a crash), with profiles.
    public func dueDeliveries(campaignID: Int64, after lastID: Int64, limit: Int, now: Date) async throws -> [PendingDelivery] {
        try await database.read { db in
            // A cursor reads each row straight into its delivery: fetching them all first built a thousand GRDB rows
            // per window (a megabyte or two per load, with eight campaigns loading at once) only to copy them out.
            let deliveries = try Row.fetchCursor(db, sql: """
                SELECT d.id, d.campaign_id, d.subscriber_id, d.attempts, d.first_attempt_at, d.parts_sent, d.state,
                       s.platform_id, s.first_name, s.last_name, s.username, s.locale, s.fields, s.status, s.last_inbound_at
                FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
                WHERE d.campaign_id = ? AND d.id > ? AND d.state IN ('pending', 'uncertain') AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= ?)
                ORDER BY d.id LIMIT ?
                """, arguments: [campaignID, lastID, now.millisecondsSince1970, limit]).map { row -> PendingDelivery in
                // Columns by position: a window of a thousand rows looked each one up by name.
                var fields: [String: String] = [:]
                if let text: String = row[12], text != "{}", case .object(let object)? = try? JSONParser().parse(Array(text.utf8)) {
                    for key in object.keys { if case .string(let value) = object[key] { fields[key] = value } }
                }
                let profile = Profile(platformID: row[7], firstName: row[8], lastName: row[9], username: row[10], locale: row[11], fields: fields)
                return PendingDelivery(id: row[0], campaignID: row[1], subscriberID: row[2], attempts: row[3], firstAttemptAt: row[4], partsSent: row[5],
                                       wasUncertain: (row[6] as String) == "uncertain", profile: profile, status: row[13], lastInboundAt: row[14])
            }
            return try Array(deliveries)
        }
    }

    /// When the next pending delivery of a campaign that is not due yet will be (wall-clock ms).
    public func nextDueAt(campaignID: Int64, now: Date) async throws -> Int64? {
        try await database.read { db in
            try Int64.fetchOne(db, sql: """
                SELECT min(next_attempt_at) FROM deliveries WHERE campaign_id = ? AND state IN ('pending', 'uncertain') AND next_attempt_at > ?
                """, arguments: [campaignID, now.millisecondsSince1970])
        }
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
            let (count, tags) = try await database.read { db in
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
}
