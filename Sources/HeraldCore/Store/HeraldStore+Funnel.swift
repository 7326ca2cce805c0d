import Foundation
import GRDB
import HeraldModel

extension HeraldStore {
    /// The funnel of every campaign of kind `campaign` (not automated messages), oldest first; `platforms` names
    /// each account's platform (a campaign of an account no longer configured is left out).
    public func campaignFunnels(platforms: [String: Platform]) async throws -> [CampaignFunnel] {
        try await database.read { db in
            let campaigns = try Row.fetchAll(db, sql: "SELECT id, job_id, name, account, state, started_at FROM campaigns WHERE kind = 'campaign' ORDER BY id")
            return try campaigns.compactMap { campaign -> CampaignFunnel? in
                guard let platform = platforms[campaign["account"]] else { return nil }
                let id: Int64 = campaign["id"]
                var states: [String: Int] = [:]
                var failed: [CampaignFunnel.Reason] = [], skipped: [CampaignFunnel.Reason] = []
                for row in try Row.fetchAll(db, sql: "SELECT state, error, count(*) AS n FROM deliveries WHERE campaign_id = ? GROUP BY state, error ORDER BY n DESC", arguments: [id]) {
                    let state: String = row["state"], count: Int = row["n"]
                    states[state, default: 0] += count
                    let reason = CampaignFunnel.Reason(reason: row["error"] ?? "unknown", count: count)
                    if state == DeliveryState.failed.rawValue { failed.append(reason) }
                    if state == DeliveryState.skipped.rawValue { skipped.append(reason) }
                }
                let eventRows = try Row.fetchAll(db, sql: """
                    SELECT kind, count(DISTINCT delivery_id) AS deliveries, count(DISTINCT subscriber_id) AS people, count(*) AS n,
                           coalesce(json_extract(detail, '$.agent'), 'human') AS agent
                    FROM events WHERE campaign_id = ? AND kind IN ('delivered', 'read', 'click') GROUP BY kind, agent
                    """, arguments: [id])
                func events(_ kind: EventKind, agent: String? = nil) -> Row? {
                    eventRows.first { $0["kind"] == kind.rawValue && (agent == nil || $0["agent"] == agent) }
                }
                let read: Int = events(.read)?["deliveries"] ?? 0
                let delivered = try Int.fetchOne(db, sql: """
                    SELECT count(DISTINCT delivery_id) FROM events WHERE campaign_id = ? AND kind IN ('delivered', 'read') AND delivery_id IS NOT NULL
                    """, arguments: [id]) ?? 0
                let unsubscribed = try Int.fetchOne(db, sql: """
                    SELECT count(DISTINCT e.subscriber_id) FROM events e JOIN deliveries d ON d.subscriber_id = e.subscriber_id AND d.campaign_id = ?
                    WHERE e.kind IN ('unsubscribed', 'blocked') AND e.at >= ?
                    """, arguments: [id, (campaign["started_at"] as Int64?) ?? Int64.max]) ?? 0
                return CampaignFunnel(
                    jobID: campaign["job_id"], name: campaign["name"], account: campaign["account"], platform: platform, state: campaign["state"],
                    audience: states.values.reduce(0, +), sent: states[DeliveryState.sent.rawValue] ?? 0, reportedDelivered: delivered, reportedRead: read,
                    clickedHumans: events(.click, agent: ClickAgent.human.rawValue)?["people"] ?? 0,
                    previewBotFetches: events(.click, agent: ClickAgent.previewBot.rawValue)?["n"] ?? 0,
                    unknownFetches: events(.click, agent: ClickAgent.unknown.rawValue)?["n"] ?? 0,
                    unsubscribed: unsubscribed,
                    pending: DeliveryState.allCases.filter(\.isOpen).reduce(0) { $0 + (states[$1.rawValue] ?? 0) },
                    failed: failed, skipped: skipped
                )
            }
        }
    }
}

/// How many subscribers came through one growth source, and how many are still subscribed.
public struct SourceCount: Sendable, Equatable {
    public var account: String
    public var source: String
    public var subscribers: Int
    public var stillSubscribed: Int
}

/// How many automated messages of one kind (welcome, goodbye, default_reply, …) went out, and failed.
public struct AutomatedCount: Sendable, Equatable {
    public var account: String
    public var name: String
    public var sent: Int
    public var failed: Int
}

extension HeraldStore {
    /// Subscribers by account and growth source, most first.
    public func subscribersBySource() async throws -> [SourceCount] {
        try await database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT account, coalesce(source, 'unknown') AS source, count(*) AS n, sum(status = 'subscribed') AS still
                FROM subscribers GROUP BY account, source ORDER BY account, n DESC
                """).map { SourceCount(account: $0["account"], source: $0["source"], subscribers: $0["n"], stillSubscribed: $0["still"]) }
        }
    }

    /// Automated messages (kinds other than `campaign`) by account and name.
    public func automatedMessages() async throws -> [AutomatedCount] {
        try await database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT c.account, coalesce(c.name, c.kind) AS name, sum(d.state = 'sent') AS sent, sum(d.state = 'failed') AS failed
                FROM campaigns c JOIN deliveries d ON d.campaign_id = c.id WHERE c.kind != 'campaign' GROUP BY c.account, name ORDER BY c.account, sent DESC
                """).map { AutomatedCount(account: $0["account"], name: $0["name"], sent: $0["sent"], failed: $0["failed"]) }
        }
    }
}
