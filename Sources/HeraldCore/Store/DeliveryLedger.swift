import Foundation
import GRDB
import HeraldModel

/// The delivery ledger: one row per (campaign, recipient) moving pending → sending → sent / failed / skipped,
/// written before and after each API call, in batches.
extension HeraldStore {
    /// After a crash: deliveries caught in `sending` may or may not have gone out; they become `uncertain`, due
    /// again after `wait` seconds (time for Messenger's echoes to reconcile them; a crash loop cannot resend
    /// them faster than that).
    @discardableResult
    public func markInFlightUncertain(now: Date, wait: Int64 = 60) async throws -> Int {
        try await database.write { db in try Self.markInFlightUncertain(db, now: now, wait: wait) }
    }

    private static func markInFlightUncertain(_ db: Database, now: Date, wait: Int64) throws -> Int {
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

    /// Marks deliveries as being sent, just before their API calls go out; returns those marked. A delivery
    /// whose campaign was paused or cancelled since it was loaded, whose subscriber left, or that is no longer
    /// due, is left alone (a later load skips it with the subscriber's status).
    public func markSending(_ ids: [Int64], now: Date) throws -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        return try database.write { db in try Self.markSending(db, ids, now: now) }
    }

    /// `markSending` off the caller's thread.
    public func markSending(_ ids: [Int64], now: Date) async throws -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        return try await database.write { db in try Self.markSending(db, ids, now: now) }
    }

    private static func markSending(_ db: Database, _ ids: [Int64], now: Date) throws -> Set<Int64> {
        // One statement for the batch (ids as a JSON array), not one per delivery: the per-statement work
        // (binding, stepping, resetting) was most of a mark's cost.
        let statement = try db.cachedStatement(sql: """
            UPDATE deliveries SET state = 'sending', attempts = attempts + 1, first_attempt_at = coalesce(first_attempt_at, ?1), updated_at = ?1
            WHERE id IN (SELECT value FROM json_each(?2)) AND state IN ('pending', 'uncertain')
            AND (SELECT state FROM campaigns WHERE campaigns.id = deliveries.campaign_id) = 'running'
            AND ((SELECT status FROM subscribers WHERE subscribers.id = deliveries.subscriber_id) = 'subscribed'
                OR ((SELECT kind FROM campaigns WHERE campaigns.id = deliveries.campaign_id) = 'farewell'
                    AND (SELECT status FROM subscribers WHERE subscribers.id = deliveries.subscriber_id) = 'unsubscribed'))
            RETURNING id
            """)
        var list = "["
        for (index, id) in ids.enumerated() {
            if index > 0 { list += "," }
            list += String(id)
        }
        list += "]"
        var row = SQLiteBinder(statement, db)
        row.bind(now.millisecondsSince1970); row.bind(list)
        return try row.stepReturningIDs()
    }

    /// A failed, skipped or uncertain delivery's event detail: its reason, message id and duplicate flag.
    static func eventDetail(_ result: DeliveryResult) -> String {
        var detail = JSONObject()
        if let reason = result.reason { detail.insert("reason", .string(reason)) }
        if let id = result.messageID { detail.insert("message_id", .string(id)) }
        if result.possibleDuplicate { detail.insert("possible_duplicate", .bool(true)) }
        return JSONValue.object(detail).jsonText
    }

    /// Records a batch of outcomes, their events and subscriber changes in one transaction.
    public func record(_ results: [DeliveryResult], now: Date) throws {
        guard !results.isEmpty else { return }
        try database.write { db in try Self.record(db, results, now: now) }
    }

    /// `record` off the caller's thread.
    public func record(_ results: [DeliveryResult], now: Date) async throws {
        guard !results.isEmpty else { return }
        try await database.write { db in try Self.record(db, results, now: now) }
    }

    /// Records a batch of outcomes and marks the next picks as being sent, in one transaction: a dispatch pass
    /// usually has both, and each commit is a WAL write and an fsync.
    public func record(_ results: [DeliveryResult], thenMarkSending ids: [Int64], now: Date) async throws -> Set<Int64> {
        try await database.write { db in
            try Self.record(db, results, now: now)
            return try Self.markSending(db, ids, now: now)
        }
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
        // The report's figures for the whole batch in a few statements (a result comes from `sending`, an open state).
        var outcomes: [Int64: [String: Int]] = [:]
        var sends: [SentSecond: Int] = [:]
        for result in results {
            let sentAt = min(result.sentAt ?? ms, ms)
            var row = SQLiteBinder(update, db)
            row.bind(result.state.rawValue); row.bind(result.messageID); row.bind(result.reason); row.bind(result.partsSent)
            row.bind(result.nextAttemptAt); row.bind(result.state.rawValue); row.bind(sentAt)
            row.bind(result.possibleDuplicate); row.bind(ms); row.bind(result.deliveryID)
            try row.step()
            // A send is its delivery row (state, sent_at, platform_message_id): an event beside it said the same
            // again, and was a third of recording a send's cost.
            let kind: String? = switch result.state {
            case .sent, .pending: nil
            case .failed: "failed"
            case .skipped: "skipped"
            case .uncertain: "uncertain"
            }
            if let kind {
                var row = SQLiteBinder(event, db)
                row.bind(kind); row.bind(ms); row.bind(result.account); row.bind(result.campaignID); row.bind(result.subscriberID)
                row.bind(result.deliveryID); row.bind(eventDetail(result))
                try row.step()
            }
            switch result.state {
            case .sent: sends[SentSecond(campaign: result.campaignID, second: sentAt / 1000), default: 0] += 1
            case .failed, .skipped: outcomes[result.campaignID, default: [:]][ReportCounters.outcome(result.state.rawValue, result.reason), default: 0] += 1
            case .pending, .uncertain: break
            }
            if let status = result.subscriberStatus {
                try db.execute(sql: "UPDATE subscribers SET status = ?, unsubscribed_at = coalesce(unsubscribed_at, ?), updated_at = ? WHERE id = ? AND status != ?",
                               arguments: [status, ms, ms, result.subscriberID, status])
                if db.changesCount > 0 {
                    let left = status == "blocked" ? "blocked" : "unsubscribed"
                    try event.execute(arguments: [left, ms, result.account, result.campaignID, result.subscriberID, result.deliveryID,
                                                  JSONValue.object(["status": .string(status), "reason": .string(result.reason ?? "")]).jsonText])
                    try ReportCounters.event(db, kind: left, at: ms, campaign: result.campaignID, subscriber: result.subscriberID, detail: nil)
                }
            }
            if let chat = result.migratedChatID {
                try db.execute(sql: "UPDATE OR IGNORE subscribers SET platform_id = ?, updated_at = ? WHERE id = ?", arguments: [chat, ms, result.subscriberID])
            }
        }
        for (campaign, names) in outcomes {
            for (name, count) in names { try ReportCounters.add(db, campaign: campaign, name, count) }
        }
        for (key, count) in sends {
            try ReportCounters.add(db, campaign: key.campaign, ReportCounters.outcome("sent", nil), count)
            // By the second of sent_at, which a rebuild reads.
            try ReportCounters.second(db, campaign: key.campaign, at: key.second * 1000, sent: count)
        }
    }
}

/// A campaign's sends within one second.
private struct SentSecond: Hashable {
    var campaign: Int64
    var second: Int64
}

extension HeraldStore {
    /// After an account's outage: its pending deliveries whose last failure came since `failedSince` are due
    /// now. Their backoff was the outage's doing; the account's rate spaces them again.
    @discardableResult
    public func retryNow(account: String, failedSince: Date, now: Date) async throws -> Int {
        try await database.write { db in
            let ms = now.millisecondsSince1970
            try db.execute(sql: """
                UPDATE deliveries SET next_attempt_at = ?
                WHERE state = 'pending' AND next_attempt_at > ? AND updated_at >= ?
                AND campaign_id IN (SELECT id FROM campaigns WHERE account = ? AND state = 'running')
                """, arguments: [ms, ms, failedSince.millisecondsSince1970, account])
            return db.changesCount
        }
    }
}
