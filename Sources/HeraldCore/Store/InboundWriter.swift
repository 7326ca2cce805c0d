import Foundation
import GRDB
import HeraldModel

/// Runs inbound events through their account's `InboundStateMachine` inside one write transaction and writes
/// what it decides: subscribers, events, receipts, echoes, clicks and automated messages.
struct InboundWriter {
    let db: Database
    let now: Date
    let ms: Int64
    let automations: [String: Automations]
    let platforms: [String: Platform]
    /// The `[defaults]` send options automated messages go with.
    let options: SendOptions
    var machines: [String: InboundStateMachine] = [:]
    var effects = InboundEffects()
    /// Subscriber ids by (account, platform id), as looked up or created in this transaction.
    var ids: [String: Int64] = [:]
    var sequence = 0

    init(db: Database, now: Date, automations: [String: Automations], platforms: [String: Platform], options: SendOptions) {
        self.options = options
        self.db = db
        self.now = now
        self.ms = now.millisecondsSince1970
        self.automations = automations
        self.platforms = platforms
    }

    mutating func apply(_ event: InboundEvent, account: String, recordID: Int64) throws {
        guard let platform = platforms[account] else { return }
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO inbound_seen (account, key, at) VALUES (?, ?, ?)").execute(arguments: [account, event.key, ms])
        guard db.changesCount > 0 else {
            effects.duplicates += 1
            return
        }
        effects.applied += 1
        var machine = machines[account] ?? InboundStateMachine(platform: platform, automations: automations[account] ?? Automations())
        if !event.userID.isEmpty, machine.people[event.userID] == nil, let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT id, status, last_auto_reply_at FROM subscribers WHERE account = ? AND platform_id = ?"), arguments: [account, event.userID]
        ) {
            ids[account + "\u{0}" + event.userID] = row["id"]
            machine.known(event.userID, .init(status: SubscriberStatus(rawValue: row["status"]) ?? .unsubscribed, lastAutoReplyAt: row["last_auto_reply_at"]))
        }
        let actions = machine.handle(event, now: ms)
        machines[account] = machine
        for action in actions {
            try perform(action, account: account, platform: platform, event: event, recordID: recordID)
        }
    }

    private func subscriberID(_ account: String, _ user: String) -> Int64? { ids[account + "\u{0}" + user] }

    private mutating func perform(_ action: InboundStateMachine.Action, account: String, platform: Platform, event: InboundEvent, recordID: Int64) throws {
        switch action {
        case .subscribe(let user, let source, let profile, let returning):
            let id: Int64
            if let existing = subscriberID(account, user) {
                try db.execute(sql: """
                    UPDATE subscribers SET status = 'subscribed', subscribed_at = ?, unsubscribed_at = NULL, updated_at = ? WHERE id = ?
                    """, arguments: [ms, ms, existing])
                id = existing
            } else {
                try db.execute(sql: """
                    INSERT INTO subscribers (account, platform_id, status, source, first_name, last_name, username, locale, subscribed_at, last_inbound_at, created_at, updated_at)
                    VALUES (?, ?, 'subscribed', ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [account, user, source, profile?.firstName, profile?.lastName, profile?.username, profile?.locale, ms, inboundTime(event), ms, ms])
                id = db.lastInsertedRowID
                ids[account + "\u{0}" + user] = id
            }
            var detail: JSONObject = ["source": .string(source)]
            if returning { detail.insert("returning", .bool(true)) }
            try record(.subscribed, account: account, subscriber: id, detail: .object(detail))
            effects.changed.append(.init(subscriberID: id, status: "subscribed", lastInboundAt: inboundTime(event)))
        case .unsubscribe(let user, let via), .block(let user, let via):
            guard let id = subscriberID(account, user) else { return }
            let status = if case .block = action { "blocked" } else { "unsubscribed" }
            try db.execute(sql: "UPDATE subscribers SET status = ?, unsubscribed_at = ?, updated_at = ? WHERE id = ?", arguments: [status, ms, ms, id])
            try record(status == "blocked" ? .blocked : .unsubscribed, account: account, subscriber: id, detail: .object(["via": .string(via)]))
            effects.changed.append(.init(subscriberID: id, status: status, lastInboundAt: nil))
        case .touch(let user, _, let profile):
            guard let id = subscriberID(account, user) else { return }
            try db.cachedStatement(sql: """
                UPDATE subscribers SET last_inbound_at = max(coalesce(last_inbound_at, 0), ?), first_name = coalesce(?, first_name), last_name = coalesce(?, last_name),
                    username = coalesce(?, username), locale = coalesce(?, locale), updated_at = ? WHERE id = ?
                """).execute(arguments: [inboundTime(event), profile?.firstName, profile?.lastName, profile?.username, profile?.locale, ms, id])
            if let status = try String.fetchOne(db.cachedStatement(sql: "SELECT status FROM subscribers WHERE id = ?"), arguments: [id]) {
                effects.changed.append(.init(subscriberID: id, status: status, lastInboundAt: inboundTime(event)))
            }
        case .send(let user, let kind, let content):
            guard subscriberID(account, user) != nil else { return }
            try queue(content, kind: kind, to: user, account: account, platform: platform, recordID: recordID)
        case .watermark(let user, let kind, let upTo):
            guard let id = subscriberID(account, user) else { return }
            try watermark(kind, subscriber: id, account: account, upTo: upTo)
        case .echo(_, let deliveryID, let part, let parts):
            try echo(deliveryID, part: part, parts: parts, account: account)
        case .click(let user, let payload, let messageID):
            guard let id = subscriberID(account, user) else { return }
            try click(payload, messageID: messageID, subscriber: id, account: account, event: event)
        case .answerCallback(let queryID):
            effects.callbacks.append(.init(account: account, queryID: queryID))
        case .fetchProfile(let user):
            // 0 marks it wanted: the processor asks the User Profile API when idle. Imported subscribers stay NULL.
            guard let id = subscriberID(account, user) else { return }
            try db.execute(sql: "UPDATE subscribers SET profile_fetched_at = 0 WHERE id = ? AND profile_fetched_at IS NULL", arguments: [id])
        case .claimForm(let user, let token, let source):
            guard let id = subscriberID(account, user) else { return }
            try claim(token, source: source, subscriber: id, account: account)
        case .ignore:
            break
        }
    }

    /// Merges a popup form's fields into the subscriber, once, while the token lives; records the consent.
    /// A reused, expired or unknown token changes nothing but is recorded, so the report can tell.
    private func claim(_ token: OptInToken, source: String, subscriber: Int64, account: String) throws {
        let hash = HeraldStore.tokenHash(token)
        let claimed = try Row.fetchOne(db, sql: """
            UPDATE growth_optins SET used_at = ?, subscriber_id = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?
            RETURNING tool, submission, consent_text, consent_version
            """, arguments: [ms, subscriber, hash, ms])
        guard let claimed else {
            let row = try Row.fetchOne(db, sql: "SELECT tool, used_at FROM growth_optins WHERE token_hash = ?", arguments: [hash])
            let outcome = row == nil ? "unknown" : (row?["used_at"] as Int64?) != nil ? "reused" : "expired"
            try record(.formClaimed, account: account, subscriber: subscriber, detail: .object(["tool": row.map { .string($0["tool"]) } ?? .null, "source": .string(source), "outcome": .string(outcome)]))
            return
        }
        let tool: String = claimed["tool"]
        if case .object(let stored)? = try? JSONParser().parse(Array((claimed["submission"] as String).utf8)) {
            var first: String?, last: String?
            if case .string(let text)? = stored["first_name"] { first = text }
            if case .string(let text)? = stored["last_name"] { last = text }
            let fields = stored["fields"].map { JSONValue.object(["fields": $0]) }
            // The form's values are what the person typed for this business: they win over the platform's.
            try db.execute(sql: """
                UPDATE subscribers SET first_name = coalesce(?, first_name), last_name = coalesce(?, last_name),
                    fields = json_patch(fields, coalesce(json_extract(?, '$.fields'), '{}')), updated_at = ? WHERE id = ?
                """, arguments: [first, last, fields?.jsonText, ms, subscriber])
        }
        if let text: String = claimed["consent_text"], let version: String = claimed["consent_version"] {
            try db.execute(sql: "INSERT OR REPLACE INTO subscriber_consents (subscriber_id, tool, text, version, given_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [subscriber, tool, text, version, ms])
        }
        try record(.formClaimed, account: account, subscriber: subscriber, detail: .object(["tool": .string(tool), "source": .string(source), "outcome": .string("claimed")]))
    }

    /// The platform's time of the event, or now when it gave none (Telegram's inaccessible messages).
    private func inboundTime(_ event: InboundEvent) -> Int64 { event.at > 0 ? min(event.at, ms) : ms }

    private func record(_ kind: EventKind, account: String, subscriber: Int64, campaign: Int64? = nil, delivery: Int64? = nil, detail: JSONValue) throws {
        try db.cachedStatement(sql: "INSERT INTO events (kind, at, account, campaign_id, subscriber_id, delivery_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .execute(arguments: [kind.rawValue, ms, account, campaign, subscriber, delivery, detail.jsonText])
        try ReportCounters.event(db, kind: kind.rawValue, at: ms, campaign: campaign, subscriber: subscriber, detail: detail)
    }

    /// An automated message as a transactional campaign of one, sent as a reply (Messenger `RESPONSE`).
    private mutating func queue(_ content: MessageContent, kind: InboundStateMachine.Automated, to user: String, account: String, platform: Platform, recordID: Int64) throws {
        var options = self.options
        if platform == .messenger { options.messagingType = .response }
        let spec = CampaignSpec(platform: platform, content: content, options: options, audience: .listed)
        let draft = CampaignDraft(kind: kind == .goodbye ? .farewell : .message, account: account, name: kind.rawValue, spec: spec, audience: .subscribers([user]), source: kind.rawValue)
        sequence += 1
        // Unique and stable: one per inbound record and action, so replaying a record cannot queue it twice.
        guard let jobID = JobID(validating: "auto.\(recordID).\(sequence)") else { return }
        if kind == .keyword || kind == .defaultReply {
            try db.execute(sql: "UPDATE subscribers SET last_auto_reply_at = ? WHERE account = ? AND platform_id = ?", arguments: [ms, account, user])
        }
        _ = try HeraldStore.createCampaign(db, draft, jobID: jobID, origin: "automation \(kind.rawValue)", now: now)
        effects.messagesQueued += 1
    }

    /// Marks sent deliveries at or before the watermark; a read also counts as delivered. The ledger's send
    /// time is this machine's clock and the watermark Meta's: a second of slack covers ordinary skew.
    private func watermark(_ kind: EventKind, subscriber: Int64, account: String, upTo: Int64) throws {
        let kinds: [EventKind] = kind == .read ? [.delivered, .read] : [.delivered]
        for kind in kinds {
            let column = kind == .read ? "read_at" : "delivered_at"
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                UPDATE deliveries SET \(column) = ? WHERE subscriber_id = ? AND state = 'sent' AND \(column) IS NULL AND sent_at <= ?
                RETURNING id, campaign_id
                """), arguments: [ms, subscriber, upTo + 1000])
            for row in rows {
                try record(kind, account: account, subscriber: subscriber, campaign: row["campaign_id"], delivery: row["id"], detail: .object(["watermark": .number(String(upTo))]))
            }
        }
    }

    /// An echo of part `part`: the parts up to it went out. An uncertain delivery whose last part echoed is
    /// sent (and will not be sent again); one whose earlier part echoed resumes after it. A delivery in flight
    /// is left to its answer.
    private mutating func echo(_ deliveryID: Int64, part: Int, parts: Int?, account: String) throws {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT d.state, d.parts_sent, d.subscriber_id, d.campaign_id FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id WHERE d.id = ? AND c.account = ?
            """, arguments: [deliveryID, account]) else { return }
        guard (row["state"] as String) == DeliveryState.uncertain.rawValue else { return }
        if let parts, part + 1 >= parts {
            // One attempt, and it arrived: no duplicate after all. After more, an earlier one may have arrived too.
            try db.execute(sql: """
                UPDATE deliveries SET state = 'sent', parts_sent = ?, sent_at = ?, next_attempt_at = NULL, updated_at = ?,
                    possible_duplicate = CASE WHEN attempts <= 1 THEN 0 ELSE possible_duplicate END WHERE id = ?
                """, arguments: [parts, ms, ms, deliveryID])
            try ReportCounters.moved(db, campaign: row["campaign_id"], count: db.changesCount, from: nil, to: ReportCounters.outcome("sent", nil))
            try record(.sent, account: account, subscriber: row["subscriber_id"], campaign: row["campaign_id"], delivery: deliveryID, detail: .object(["via": .string("echo")]))
            effects.echoesResolved += 1
        } else {
            try db.execute(sql: "UPDATE deliveries SET parts_sent = max(parts_sent, ?), updated_at = ? WHERE id = ?", arguments: [part + 1, ms, deliveryID])
        }
    }

    /// A button click the platform reported: attributed to the delivery whose message carried it (Telegram names
    /// the message) or else to the latest one sent to this subscriber.
    private func click(_ payload: String, messageID: String?, subscriber: Int64, account: String, event: InboundEvent) throws {
        var row: Row?
        if let messageID {
            row = try Row.fetchOne(db, sql: "SELECT id, campaign_id FROM deliveries WHERE subscriber_id = ? AND platform_message_id = ? ORDER BY id DESC LIMIT 1", arguments: [subscriber, messageID])
        }
        if row == nil {
            row = try Row.fetchOne(db, sql: "SELECT id, campaign_id FROM deliveries WHERE subscriber_id = ? AND state = 'sent' ORDER BY sent_at DESC, id DESC LIMIT 1", arguments: [subscriber])
        }
        let via: String = if case .postback(_, _, let callback, _) = event.kind { callback == nil ? "postback" : "callback" } else { "quick_reply" }
        let detail: JSONValue = .object(["payload": .string(payload), "via": .string(via), "agent": .string("human")])
        try record(.click, account: account, subscriber: subscriber, campaign: row?["campaign_id"], delivery: row?["id"], detail: detail)
    }
}
