import Foundation
import GRDB
import HeraldModel

/// A webhook body or a polled batch of updates as the journal stored it.
public struct InboundRecord: Sendable, Equatable {
    public var id: Int64
    public var platform: Platform
    /// Telegram: the account the route or poller named. Messenger: nil (entries name their Page).
    public var account: String?
    public var body: [UInt8]
    public var receivedAt: Int64
}

/// What one webhook or poll delivered, for the journal to write.
public struct InboundBody: Sendable {
    public var platform: Platform
    public var account: String?
    public var body: [UInt8]

    public init(platform: Platform, account: String?, body: [UInt8]) {
        self.platform = platform
        self.account = account
        self.body = body
    }
}

extension HeraldStore {
    /// Writes bodies as received, in one transaction (the journal's group commit); durable when this returns.
    public func appendInbound(_ bodies: [InboundBody], now: Date) async throws {
        guard !bodies.isEmpty else { return }
        try await database.write { db in
            let statement = try db.cachedStatement(sql: "INSERT INTO inbound (platform, account, body, received_at) VALUES (?, ?, ?, ?)")
            let ms = now.millisecondsSince1970
            for body in bodies {
                try statement.execute(arguments: [body.platform.rawValue, body.account, Data(body.body), ms])
            }
        }
    }

    /// Stores one `getUpdates` answer's updates (as a JSON array) and the next offset in one transaction, so an
    /// update is neither lost nor taken twice across a crash. An empty batch only moves the offset.
    public func appendPolled(account: String, updates: [UInt8]?, nextOffset: Int64, now: Date) async throws {
        try await database.write { db in
            let ms = now.millisecondsSince1970
            if let updates {
                try db.execute(sql: "INSERT INTO inbound (platform, account, body, received_at) VALUES ('telegram', ?, ?, ?)", arguments: [account, Data(updates), ms])
            }
            try db.execute(sql: """
                INSERT INTO telegram_offsets (account, next_offset, updated_at) VALUES (?, ?, ?)
                ON CONFLICT(account) DO UPDATE SET next_offset = excluded.next_offset, updated_at = excluded.updated_at
                """, arguments: [account, nextOffset, ms])
        }
    }

    /// The `getUpdates` offset to ask from next (nil: never polled).
    public func telegramOffset(_ account: String) async throws -> Int64? {
        try await database.read { db in try Int64.fetchOne(db, sql: "SELECT next_offset FROM telegram_offsets WHERE account = ?", arguments: [account]) }
    }

    /// The oldest bodies not processed yet.
    public func unprocessedInbound(limit: Int) async throws -> [InboundRecord] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT id, platform, account, body, received_at FROM inbound WHERE processed_at IS NULL ORDER BY id LIMIT ?", arguments: [limit]).map { row in
                let data: Data = row["body"]
                return InboundRecord(id: row["id"], platform: Platform(rawValue: row["platform"]) ?? .telegram, account: row["account"], body: Array(data), receivedAt: row["received_at"])
            }
        }
    }

    /// Bodies received and not yet processed.
    public func inboundBacklog() async throws -> Int {
        try await database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM inbound WHERE processed_at IS NULL") ?? 0 }
    }

    /// Writes to the database, proving it writable (for `/readyz`).
    public func checkWritable(now: Date) async throws {
        try await database.write { db in
            try db.execute(sql: "INSERT INTO health (id, checked_at) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET checked_at = excluded.checked_at", arguments: [now.millisecondsSince1970])
        }
    }

    /// Applies parsed inbound events in one transaction: each new event (by its key) goes through its account's
    /// machine and the actions are written; the records are marked processed. What must happen outside the
    /// database (answering callback queries, fetching profiles, telling the dispatcher) comes back.
    /// Automated messages go with `options` (the configuration's `[defaults]`).
    public func applyInbound(
        _ batch: [ParsedInbound], automations: [String: Automations], platforms: [String: Platform], options: SendOptions = SendOptions(), now: Date
    ) async throws -> InboundEffects {
        try await database.write { db in
            var writer = InboundWriter(db: db, now: now, automations: automations, platforms: platforms, options: options)
            for record in batch {
                for (account, event) in record.events {
                    try writer.apply(event, account: account, recordID: record.recordID)
                }
                try db.execute(sql: "UPDATE inbound SET processed_at = ?, error = ? WHERE id = ?", arguments: [now.millisecondsSince1970, record.error, record.recordID])
            }
            return writer.effects
        }
    }

    /// The account's automated-message settings as its `automation` jobs left them; settings that no longer
    /// validate (the account changed platform, say) are left out.
    public func automationSettings(account: String, decoder: JobDecoder) async throws -> Automations {
        let rows = try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT setting, value FROM automations WHERE account = ?", arguments: [account]).map { ($0["setting"] as String, $0["value"] as String) }
        }
        var automations = Automations()
        for (setting, value) in rows {
            let text = #"{"type":"automation","account":"# + JSONValue.string(account).jsonText + "," + JSONValue.string(setting).jsonText + ":" + value + "}"
            guard case .automation(let job)? = try? decoder.decode(Array(text.utf8)).body else { continue }
            if case .set(let welcome)? = job.welcome { automations.welcome = welcome }
            if case .set(let welcomes)? = job.welcomeBySource { automations.welcomeBySource = welcomes }
            if case .set(let goodbye)? = job.goodbye { automations.goodbye = goodbye }
            if case .set(let reply)? = job.defaultReply { automations.defaultReply = reply }
            if case .set(let replies)? = job.keywordReplies { automations.keywordReplies = replies }
            if case .set(let words)? = job.unsubscribeKeywords { automations.unsubscribe = UnsubscribeKeywords(extra: words) }
            if case .set(let presentation)? = job.presentation, let payload = presentation.getStartedPayload { automations.getStartedPayload = payload }
        }
        return automations
    }
}

/// One stored body, read: the events it holds with the account each belongs to, or why it could not be read.
public struct ParsedInbound: Sendable {
    public var recordID: Int64
    public var events: [(account: String, event: InboundEvent)]
    public var error: String?

    public init(recordID: Int64, events: [(account: String, event: InboundEvent)], error: String? = nil) {
        self.recordID = recordID
        self.events = events
        self.error = error
    }
}

/// What processing a batch leaves to do outside the database, and what it counted.
public struct InboundEffects: Sendable, Equatable {
    /// Telegram callback queries to answer: (account, query id).
    public var callbacks: [CallbackAnswer] = []
    /// Subscribers whose status or window changed, for the dispatcher's loaded rows.
    public var changed: [SubscriberChange] = []
    /// Automated messages queued.
    public var messagesQueued = 0
    /// Events already processed before (redeliveries).
    public var duplicates = 0
    /// Events applied.
    public var applied = 0
    /// Uncertain deliveries an echo proved sent.
    public var echoesResolved = 0

    public struct CallbackAnswer: Sendable, Equatable {
        public var account: String
        public var queryID: String
    }

    public struct SubscriberChange: Sendable, Equatable {
        public var subscriberID: Int64
        public var status: String
        public var lastInboundAt: Int64?
    }
}

extension HeraldStore {
    /// Messenger subscribers who came through a conversation and whose profile was not asked for yet, oldest
    /// first: (account, PSID).
    public func profilesToFetch(accounts: [String], limit: Int) async throws -> [(account: String, psid: String)] {
        guard !accounts.isEmpty else { return [] }
        return try await database.read { db in
            let list = JSONValue.array(accounts.map { .string($0) }).jsonText
            return try Row.fetchAll(db, sql: """
                SELECT account, platform_id FROM subscribers WHERE profile_fetched_at = 0 AND status = 'subscribed'
                AND account IN (SELECT value FROM json_each(?)) ORDER BY id LIMIT ?
                """, arguments: [list, limit]).map { ($0["account"], $0["platform_id"]) }
        }
    }

    /// Stores what the User Profile API said (names only where it gave them); `nil` names mark it asked anyway.
    /// Names fill in what is missing: a popup form's, typed by the person for this business, stays.
    public func storeProfile(account: String, psid: String, firstName: String?, lastName: String?, locale: String?, now: Date) async throws {
        try await database.write { db in
            try db.execute(sql: """
                UPDATE subscribers SET first_name = coalesce(first_name, ?), last_name = coalesce(last_name, ?), locale = coalesce(?, locale),
                    profile_fetched_at = ?, updated_at = ? WHERE account = ? AND platform_id = ?
                """, arguments: [firstName, lastName, locale, now.millisecondsSince1970, now.millisecondsSince1970, account, psid])
        }
    }
}

extension HeraldStore {
    /// Deletes bodies processed before `before` and event keys first seen before it (the platforms stop
    /// redelivering long before: Meta within 36 hours). Returns (bodies, keys) deleted.
    @discardableResult
    public func pruneInbound(before: Date) async throws -> (bodies: Int, keys: Int) {
        try await database.write { db in
            let ms = before.millisecondsSince1970
            try db.execute(sql: "DELETE FROM inbound WHERE processed_at IS NOT NULL AND processed_at < ?", arguments: [ms])
            let bodies = db.changesCount
            try db.execute(sql: "DELETE FROM inbound_seen WHERE at < ?", arguments: [ms])
            return (bodies, db.changesCount)
        }
    }
}

extension HeraldStore {
    /// Accounts whose `presentation` setting differs from what the platform last accepted: (account, wanted,
    /// applied), both as JSON text.
    public func presentationsToApply() async throws -> [(account: String, wanted: String, applied: String?)] {
        try await database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT a.account, a.value, p.value AS applied FROM automations a LEFT JOIN presentation_applied p ON p.account = a.account
                WHERE a.setting = 'presentation' AND (p.value IS NULL OR p.value != a.value)
                """).map { ($0["account"], $0["value"], $0["applied"]) }
        }
    }

    /// The platform accepted `value` as the account's presentation.
    public func presentationApplied(account: String, value: String, now: Date) async throws {
        try await database.write { db in
            try db.execute(sql: """
                INSERT INTO presentation_applied (account, value, applied_at) VALUES (?, ?, ?)
                ON CONFLICT(account) DO UPDATE SET value = excluded.value, applied_at = excluded.applied_at
                """, arguments: [account, value, now.millisecondsSince1970])
        }
    }
}
