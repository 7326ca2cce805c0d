import GRDB
import HeraldModel

/// Subscriber writes inside an intake transaction: imports, profile updates, tags and unsubscribes.
///
/// An import never resubscribes someone who unsubscribed or blocked the bot: only the person can do that.
struct SubscriberWriter {
    let db: Database
    let now: Int64

    func subscriberID(account: String, platformID: String) throws -> Int64? {
        let statement = try db.cachedStatement(sql: "SELECT id FROM subscribers WHERE account = ? AND platform_id = ?")
        return try Int64.fetchOne(statement, arguments: [account, platformID])
    }

    /// Inserts a new subscriber (subscribed, with its source) or merges profile fields and tags into an existing one.
    @discardableResult
    func upsert(_ recipient: Recipient, account: String, source: String, tags: [String]) throws -> (id: Int64, created: Bool) {
        let fields = JSONValue.object(JSONObject(recipient.fields.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })).jsonText
        let id: Int64
        let created: Bool
        if let existing = try subscriberID(account: account, platformID: recipient.platformID) {
            try db.cachedStatement(sql: """
                UPDATE subscribers SET first_name = coalesce(?, first_name), last_name = coalesce(?, last_name),
                    username = coalesce(?, username), locale = coalesce(?, locale), fields = json_patch(fields, ?), updated_at = ? WHERE id = ?
                """).execute(arguments: [recipient.firstName, recipient.lastName, recipient.username, recipient.locale, fields, now, existing])
            id = existing
            created = false
        } else {
            try db.cachedStatement(sql: """
                INSERT INTO subscribers (account, platform_id, status, source, first_name, last_name, username, locale, fields, subscribed_at, created_at, updated_at)
                VALUES (?, ?, 'subscribed', ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [account, recipient.platformID, source, recipient.firstName, recipient.lastName, recipient.username, recipient.locale, fields, now, now, now])
            id = db.lastInsertedRowID
            created = true
            try event("subscribed", account: account, subscriberID: id, detail: JSONValue.object(["source": .string(source)]))
        }
        try addTags(recipient.tags + tags, to: id)
        return (id, created)
    }

    func addTags(_ tags: [String], to subscriberID: Int64) throws {
        guard !tags.isEmpty else { return }
        let statement = try db.cachedStatement(sql: "INSERT OR IGNORE INTO subscriber_tags (tag, subscriber_id) VALUES (?, ?)")
        for tag in tags { try statement.execute(arguments: [tag, subscriberID]) }
    }

    func event(_ kind: String, account: String, subscriberID: Int64, detail: JSONValue) throws {
        try db.cachedStatement(sql: "INSERT INTO events (kind, at, account, subscriber_id, detail) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [kind, now, account, subscriberID, detail.jsonText])
        try ReportCounters.event(db, kind: kind, at: now, campaign: nil, subscriber: subscriberID, detail: detail)
    }

    /// Applies a `subscribers` job to the given recipients (inline, or read from its file).
    func apply(_ job: SubscribersJob, jobID: String, recipients: [Recipient]) throws -> JobRecorder.Outcome {
        var created = 0, changed = 0, unknown = 0
        for recipient in recipients {
            if job.action == .import {
                let result = try upsert(recipient, account: job.account, source: job.origin, tags: job.tags)
                if result.created { created += 1 } else { changed += 1 }
                continue
            }
            guard let id = try subscriberID(account: job.account, platformID: recipient.platformID) else {
                unknown += 1
                continue
            }
            switch job.action {
            case .import:
                break
            case .update:
                try upsert(recipient, account: job.account, source: job.origin, tags: [])
            case .tag:
                try addTags(job.tags, to: id)
            case .untag:
                let statement = try db.cachedStatement(sql: "DELETE FROM subscriber_tags WHERE tag = ? AND subscriber_id = ?")
                for tag in job.tags { try statement.execute(arguments: [tag, id]) }
            case .unsubscribe:
                try db.cachedStatement(sql: "UPDATE subscribers SET status = 'unsubscribed', unsubscribed_at = ?, updated_at = ? WHERE id = ? AND status = 'subscribed'")
                    .execute(arguments: [now, now, id])
                if db.changesCount > 0 {
                    try event("unsubscribed", account: job.account, subscriberID: id, detail: JSONValue.object(["via": .string("job"), "job": .string(jobID)]))
                }
            }
            changed += 1
        }
        var summary = "\(job.action.rawValue) on \(job.account): "
        summary += job.action == .import ? "\(created) new, \(changed) updated" : "\(changed) changed"
        if unknown > 0 { summary += ", \(unknown) not found (skipped)" }
        return .ok(summary)
    }
}
