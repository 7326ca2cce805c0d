import Foundation
import GRDB
import HeraldModel

/// What `forget` erased, and what it could not reach.
public struct ForgetResult: Sendable, Equatable {
    public var account: String
    public var formSubmissions: Int
    public var consents: Int
    public var tags: Int
    public var webhookBodies: Int
    public var pendingDeliveries: Int
    /// Job files that still name the person (an import or a campaign's inline recipients): the spool's
    /// `done/` copies are the operator's to delete.
    public var jobFiles: [String]
}

extension HeraldStore {
    /// Erases a subscriber's personal data and keeps the anonymous rest, so that reports stay right: the row
    /// stays (status, source, dates; counts and funnels join on it) with its platform id replaced by
    /// `forgotten:ROWID` and its profile, fields, tags, consents and form submissions gone; stored webhook
    /// bodies naming them are deleted; deliveries still waiting are skipped (`forgotten`). Someone who was
    /// subscribed is unsubscribed (`via: forgotten`): Herald can no longer reach them, and should not.
    public func forget(account: String, platformID: String, now: Date) async throws -> ForgetResult? {
        try await database.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, status FROM subscribers WHERE account = ? AND platform_id = ?", arguments: [account, platformID]) else { return nil }
            let id: Int64 = row["id"], ms = now.millisecondsSince1970
            var result = ForgetResult(account: account, formSubmissions: 0, consents: 0, tags: 0, webhookBodies: 0, pendingDeliveries: 0, jobFiles: [])
            if row["status"] == "subscribed" {
                try db.execute(sql: "INSERT INTO events (kind, at, account, subscriber_id, detail) VALUES ('unsubscribed', ?, ?, ?, ?)",
                               arguments: [ms, account, id, #"{"via":"forgotten"}"#])
                try ReportCounters.event(db, kind: "unsubscribed", at: ms, campaign: nil, subscriber: id, detail: nil)
            }
            try db.execute(sql: """
                UPDATE subscribers SET platform_id = 'forgotten:' || id, status = CASE status WHEN 'subscribed' THEN 'unsubscribed' ELSE status END,
                    unsubscribed_at = coalesce(unsubscribed_at, ?), first_name = NULL, last_name = NULL, username = NULL, locale = NULL, time_zone = NULL,
                    fields = '{}', profile_fetched_at = NULL, updated_at = ? WHERE id = ?
                """, arguments: [ms, ms, id])
            try db.execute(sql: "DELETE FROM growth_optins WHERE subscriber_id = ?", arguments: [id])
            result.formSubmissions = db.changesCount
            try db.execute(sql: "DELETE FROM subscriber_consents WHERE subscriber_id = ?", arguments: [id])
            result.consents = db.changesCount
            try db.execute(sql: "DELETE FROM subscriber_tags WHERE subscriber_id = ?", arguments: [id])
            result.tags = db.changesCount
            // Their id as a JSON value: a PSID is a string, a Telegram id a number (ended by , or }), never a prefix
            // of someone else's.
            try db.execute(sql: """
                DELETE FROM inbound WHERE processed_at IS NOT NULL
                AND (instr(CAST(body AS TEXT), ?) > 0 OR instr(CAST(body AS TEXT), ?) > 0 OR instr(CAST(body AS TEXT), ?) > 0)
                """, arguments: ["\"" + platformID + "\"", ":" + platformID + ",", ":" + platformID + "}"])
            result.webhookBodies = db.changesCount
            var skipped: [Int64: Int] = [:]
            for delivery in try Row.fetchAll(db, sql: "UPDATE deliveries SET state = 'skipped', error = 'forgotten', updated_at = ? WHERE subscriber_id = ? AND state = 'pending' RETURNING id, campaign_id",
                                             arguments: [ms, id]) {
                try db.execute(sql: "INSERT INTO events (kind, at, account, campaign_id, subscriber_id, delivery_id, detail) VALUES ('skipped', ?, ?, ?, ?, ?, ?)",
                               arguments: [ms, account, delivery["campaign_id"], id, delivery["id"], #"{"reason":"forgotten"}"#])
                skipped[delivery["campaign_id"], default: 0] += 1
            }
            for (campaign, count) in skipped { try ReportCounters.add(db, campaign: campaign, "skipped:forgotten", count) }
            result.pendingDeliveries = skipped.values.reduce(0, +)
            result.jobFiles = try String.fetchAll(db, sql: "SELECT file_name FROM jobs WHERE instr(body, ?) > 0 ORDER BY accepted_at", arguments: ["\"" + platformID + "\""])
            return result
        }
    }

    /// The consents a subscriber gave through forms: tool, version, text and when.
    public func consents(account: String, platformID: String) async throws -> [(tool: String, version: String, text: String, at: Int64)] {
        try await database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT c.tool, c.version, c.text, c.given_at FROM subscriber_consents c JOIN subscribers s ON s.id = c.subscriber_id
                WHERE s.account = ? AND s.platform_id = ? ORDER BY c.given_at
                """, arguments: [account, platformID]).map { ($0["tool"], $0["version"], $0["text"], $0["given_at"]) }
        }
    }
}
