import GRDB
import HeraldModel

/// The figures a campaign's report shows, kept as deliveries and events are written, so that a report reads a
/// few dozen rows instead of its campaign's events. Kept by the writers in their own transactions, not by
/// triggers: a trigger on `deliveries` or `events` doubled the ledger's cost per delivery, and the ledger
/// counts a whole batch in a few statements. The raw events and deliveries stay the source of truth: `rebuild`
/// recomputes every figure from them (`herald report --rebuild`).
///
/// `campaign_counts` holds named figures: `audience`; `STATE:REASON` for each finished delivery (`sent:`,
/// `failed:Forbidden…`, `skipped:expired`); `clicks:AGENT`; `link:I:human`, `link:I:bots`; `button:PAYLOAD`;
/// `people:SCOPE`, the distinct subscribers `campaign_people` holds for a scope (`delivered`, `read`, `click`,
/// `link:I`, `button:PAYLOAD`, `left`). `campaign_seconds` holds sends, reads and human clicks per second.
enum ReportCounters {
    static let tables = """
        CREATE TABLE campaign_counts (
            campaign_id INTEGER NOT NULL,
            name TEXT NOT NULL,
            n INTEGER NOT NULL,
            PRIMARY KEY (campaign_id, name)
        ) WITHOUT ROWID;
        CREATE TABLE campaign_people (
            campaign_id INTEGER NOT NULL,
            scope TEXT NOT NULL,
            subscriber_id INTEGER NOT NULL,
            PRIMARY KEY (campaign_id, scope, subscriber_id)
        ) WITHOUT ROWID;
        CREATE TABLE campaign_seconds (
            campaign_id INTEGER NOT NULL,
            second INTEGER NOT NULL,
            sent INTEGER NOT NULL DEFAULT 0,
            read INTEGER NOT NULL DEFAULT 0,
            clicks INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (campaign_id, second)
        ) WITHOUT ROWID;
        """

    /// A finished delivery's figure name (a send has no reason, whatever an earlier attempt left in `error`).
    static func outcome(_ state: String, _ reason: String?) -> String { state == "sent" ? "sent:" : state + ":" + (reason ?? "") }

    /// Adds `amount` to one named figure of a campaign.
    static func add(_ db: Database, campaign: Int64, _ name: String, _ amount: Int = 1) throws {
        guard amount != 0 else { return }
        try db.cachedStatement(sql: "INSERT INTO campaign_counts (campaign_id, name, n) VALUES (?, ?, ?) ON CONFLICT (campaign_id, name) DO UPDATE SET n = n + excluded.n")
            .execute(arguments: [campaign, name, amount])
    }

    /// Adds sends, reads and human clicks to a campaign's second.
    static func second(_ db: Database, campaign: Int64, at: Int64, sent: Int = 0, read: Int = 0, clicks: Int = 0) throws {
        try db.cachedStatement(sql: """
            INSERT INTO campaign_seconds (campaign_id, second, sent, read, clicks) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (campaign_id, second) DO UPDATE SET sent = sent + excluded.sent, read = read + excluded.read, clicks = clicks + excluded.clicks
            """).execute(arguments: [campaign, at / 1000, sent, read, clicks])
    }

    /// Counts a subscriber once in a campaign's scope.
    static func person(_ db: Database, campaign: Int64, _ scope: String, subscriber: Int64) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO campaign_people (campaign_id, scope, subscriber_id) VALUES (?, ?, ?)")
            .execute(arguments: [campaign, scope, subscriber])
        if db.changesCount > 0 { try add(db, campaign: campaign, "people:" + scope) }
    }

    /// Counts `count` deliveries of a campaign that moved from `from` (a finished figure, or nil for an open state)
    /// to `to` (nil: open again).
    static func moved(_ db: Database, campaign: Int64, count: Int, from: String?, to: String?) throws {
        if let from { try add(db, campaign: campaign, from, -count) }
        if let to { try add(db, campaign: campaign, to, count) }
    }

    /// What one event adds to the figures: sends, receipts and reads, clicks and taps, and people leaving
    /// (counted against every campaign they had got, from its start on).
    static func event(_ db: Database, kind: String, at: Int64, campaign: Int64?, subscriber: Int64?, detail: JSONValue?) throws {
        if kind == "unsubscribed" || kind == "blocked", let subscriber {
            for campaign in try Int64.fetchAll(db.cachedStatement(sql: """
                SELECT d.campaign_id FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id
                WHERE d.subscriber_id = ? AND c.started_at IS NOT NULL AND c.started_at <= ?
                """), arguments: [subscriber, at]) {
                try person(db, campaign: campaign, "left", subscriber: subscriber)
            }
            return
        }
        guard let campaign else { return }
        switch kind {
        case "sent":
            try second(db, campaign: campaign, at: at, sent: 1)
        case "delivered":
            if let subscriber { try person(db, campaign: campaign, "delivered", subscriber: subscriber) }
        case "read":
            if let subscriber {
                try person(db, campaign: campaign, "delivered", subscriber: subscriber)
                try person(db, campaign: campaign, "read", subscriber: subscriber)
            }
            try second(db, campaign: campaign, at: at, read: 1)
        case "click":
            guard case .object(let fields)? = detail else { return }
            var agent = ClickAgent.human.rawValue
            if case .string(let text)? = fields["agent"] { agent = text }
            let human = agent == ClickAgent.human.rawValue
            try add(db, campaign: campaign, "clicks:" + agent)
            if let link = fields["link"], case .number(let index) = link {
                try add(db, campaign: campaign, "link:\(index):" + (human ? "human" : "bots"))
                if human, let subscriber { try person(db, campaign: campaign, "link:\(index)", subscriber: subscriber) }
            }
            if case .string(let payload)? = fields["payload"] {
                try add(db, campaign: campaign, "button:" + payload)
                if let subscriber { try person(db, campaign: campaign, "button:" + payload, subscriber: subscriber) }
            }
            if human {
                if let subscriber { try person(db, campaign: campaign, "click", subscriber: subscriber) }
                try second(db, campaign: campaign, at: at, clicks: 1)
            }
        default:
            break
        }
    }

    /// Recomputes every figure from the raw deliveries and events, in the caller's transaction.
    static func rebuild(_ db: Database) throws {
        try db.execute(sql: """
            DELETE FROM campaign_counts;
            DELETE FROM campaign_people;
            DELETE FROM campaign_seconds;
            INSERT INTO campaign_people (campaign_id, scope, subscriber_id)
                SELECT DISTINCT campaign_id, 'delivered', subscriber_id FROM events
                WHERE kind IN ('delivered', 'read') AND campaign_id IS NOT NULL AND subscriber_id IS NOT NULL;
            INSERT INTO campaign_people (campaign_id, scope, subscriber_id)
                SELECT DISTINCT campaign_id, 'read', subscriber_id FROM events WHERE kind = 'read' AND campaign_id IS NOT NULL AND subscriber_id IS NOT NULL;
            INSERT INTO campaign_people (campaign_id, scope, subscriber_id)
                SELECT DISTINCT campaign_id, 'click', subscriber_id FROM events
                WHERE kind = 'click' AND campaign_id IS NOT NULL AND subscriber_id IS NOT NULL AND coalesce(json_extract(detail, '$.agent'), 'human') = 'human';
            INSERT INTO campaign_people (campaign_id, scope, subscriber_id)
                SELECT DISTINCT campaign_id, 'link:' || json_extract(detail, '$.link'), subscriber_id FROM events
                WHERE kind = 'click' AND campaign_id IS NOT NULL AND subscriber_id IS NOT NULL AND json_extract(detail, '$.link') IS NOT NULL
                AND coalesce(json_extract(detail, '$.agent'), 'human') = 'human';
            INSERT INTO campaign_people (campaign_id, scope, subscriber_id)
                SELECT DISTINCT campaign_id, 'button:' || json_extract(detail, '$.payload'), subscriber_id FROM events
                WHERE kind = 'click' AND campaign_id IS NOT NULL AND subscriber_id IS NOT NULL AND json_extract(detail, '$.payload') IS NOT NULL;
            INSERT OR IGNORE INTO campaign_people (campaign_id, scope, subscriber_id)
                SELECT DISTINCT d.campaign_id, 'left', e.subscriber_id FROM events e
                JOIN deliveries d ON d.subscriber_id = e.subscriber_id JOIN campaigns c ON c.id = d.campaign_id
                WHERE e.kind IN ('unsubscribed', 'blocked') AND c.started_at IS NOT NULL AND c.started_at <= e.at;
            INSERT INTO campaign_counts (campaign_id, name, n)
                SELECT campaign_id, 'people:' || scope, count(*) FROM campaign_people GROUP BY campaign_id, scope;
            INSERT INTO campaign_counts (campaign_id, name, n) SELECT campaign_id, 'audience', count(*) FROM deliveries GROUP BY campaign_id;
            INSERT INTO campaign_counts (campaign_id, name, n)
                SELECT campaign_id, CASE state WHEN 'sent' THEN 'sent:' ELSE state || ':' || coalesce(error, '') END, count(*)
                FROM deliveries WHERE state IN ('sent', 'failed', 'skipped') GROUP BY 1, 2;
            INSERT INTO campaign_counts (campaign_id, name, n)
                SELECT campaign_id, 'clicks:' || coalesce(json_extract(detail, '$.agent'), 'human'), count(*) FROM events
                WHERE kind = 'click' AND campaign_id IS NOT NULL GROUP BY 1, 2;
            INSERT INTO campaign_counts (campaign_id, name, n)
                SELECT campaign_id, 'link:' || json_extract(detail, '$.link') || CASE WHEN coalesce(json_extract(detail, '$.agent'), 'human') = 'human' THEN ':human' ELSE ':bots' END, count(*)
                FROM events WHERE kind = 'click' AND campaign_id IS NOT NULL AND json_extract(detail, '$.link') IS NOT NULL GROUP BY 1, 2;
            INSERT INTO campaign_counts (campaign_id, name, n)
                SELECT campaign_id, 'button:' || json_extract(detail, '$.payload'), count(*) FROM events
                WHERE kind = 'click' AND campaign_id IS NOT NULL AND json_extract(detail, '$.payload') IS NOT NULL GROUP BY 1, 2;
            INSERT INTO campaign_seconds (campaign_id, second, sent, read, clicks)
                SELECT campaign_id, second, sum(sent), sum(read), sum(clicks) FROM (
                    SELECT campaign_id, sent_at / 1000 AS second, 1 AS sent, 0 AS read, 0 AS clicks
                    FROM deliveries WHERE state = 'sent' AND sent_at IS NOT NULL
                    UNION ALL
                    SELECT campaign_id, at / 1000, 0, kind = 'read', kind = 'click'
                    FROM events WHERE campaign_id IS NOT NULL
                    AND (kind = 'read' OR (kind = 'click' AND coalesce(json_extract(detail, '$.agent'), 'human') = 'human'))
                ) GROUP BY 1, 2;
            """)
    }

    /// Every figure as text, in a fixed order: to compare the kept figures with rebuilt ones.
    static func snapshot(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT campaign_id || ' ' || name || ' ' || n FROM campaign_counts WHERE n != 0 ORDER BY campaign_id, name")
            + String.fetchAll(db, sql: "SELECT campaign_id || ' @' || second || ' ' || sent || ' ' || read || ' ' || clicks FROM campaign_seconds ORDER BY campaign_id, second")
    }
}
