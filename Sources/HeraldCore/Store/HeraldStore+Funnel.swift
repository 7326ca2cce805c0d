import Foundation
import GRDB
import HeraldModel

extension HeraldStore {
    /// The funnel of every campaign of kind `campaign` (not automated messages), oldest first; `platforms` names
    /// each account's platform (a campaign of an account no longer configured is left out).
    public func campaignFunnels(platforms: [String: Platform]) async throws -> [CampaignFunnel] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT id, job_id, name, account, state, started_at, finished_at FROM campaigns WHERE kind = 'campaign' ORDER BY id")
                .compactMap { campaign in try platforms[campaign["account"]].map { try Self.funnel(db, campaign, platform: $0) } }
        }
    }

    /// One campaign in detail, by its job id (nil when there is none, or its account is not configured).
    public func campaignReport(jobID: String, platforms: [String: Platform]) async throws -> CampaignReport? {
        try await database.read { db in
            guard let campaign = try Row.fetchOne(db, sql: "SELECT id, job_id, name, account, state, started_at, finished_at FROM campaigns WHERE job_id = ?", arguments: [jobID]),
                  let platform = platforms[campaign["account"]]
            else { return nil }
            let funnel = try Self.funnel(db, campaign, platform: platform)
            let counts = try Self.counts(db, campaign: funnel.id)
            var targets: [CampaignReport.Target] = try Row.fetchAll(db, sql: "SELECT link_index, url FROM campaign_links WHERE campaign_id = ? ORDER BY link_index", arguments: [funnel.id])
                .map { row in
                    let link = "link:\(row["link_index"] as Int64)"
                    return CampaignReport.Target(
                        kind: "link", value: row["url"], humans: counts["people:" + link] ?? 0, total: counts[link + ":human"] ?? 0, bots: counts[link + ":bots"] ?? 0
                    )
                }
            targets += counts.keys.filter { $0.hasPrefix("button:") }.map { key in
                CampaignReport.Target(kind: "button", value: String(key.dropFirst("button:".count)), humans: counts["people:" + key] ?? 0, total: counts[key] ?? 0, bots: 0)
            }.sorted { ($1.total, $0.value) < ($0.total, $1.value) }
            // Buckets start on the campaign's first whole second: the counts are kept per second.
            let first = (funnel.startedAt ?? 0) / 1000
            let last = max(try Int64.fetchOne(db, sql: "SELECT max(second) FROM campaign_seconds WHERE campaign_id = ?", arguments: [funnel.id]) ?? first, first)
            let seconds = CampaignReport.bucketSeconds(forSpan: (last - first) * 1000)
            var buckets: [Int64: CampaignReport.Bucket] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT (second - ?) / ? AS slot, sum(sent) AS sent, sum(read) AS read, sum(clicks) AS clicks
                FROM campaign_seconds WHERE campaign_id = ? AND second >= ? GROUP BY slot ORDER BY slot
                """, arguments: [first, seconds, funnel.id, first]) {
                let slot: Int64 = row["slot"]
                buckets[slot] = CampaignReport.Bucket(start: (first + slot * Int64(seconds)) * 1000, sent: row["sent"], read: row["read"], clicks: row["clicks"])
            }
            let lastSlot = buckets.keys.max() ?? -1
            let step = Int64(seconds)
            let series = lastSlot < 0 ? [] : (0...lastSlot).map { buckets[$0] ?? CampaignReport.Bucket(start: (first + $0 * step) * 1000, sent: 0, read: 0, clicks: 0) }
            return CampaignReport(funnel: funnel, targets: targets, bucketSeconds: seconds, series: series)
        }
    }

    /// Every recipient of a campaign, in the order they were added, with what happened to them.
    public func campaignRecipients(jobID: String) async throws -> [RecipientRow] {
        try await database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.platform_id, trim(coalesce(s.first_name, '') || ' ' || coalesce(s.last_name, '')) AS name, d.state, d.error, d.attempts, d.sent_at,
                       d.delivered_at, d.read_at, d.possible_duplicate,
                       (SELECT count(*) FROM events e WHERE e.delivery_id = d.id AND e.kind = 'click' AND coalesce(json_extract(e.detail, '$.agent'), 'human') = 'human') AS clicks
                FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id JOIN subscribers s ON s.id = d.subscriber_id
                WHERE c.job_id = ? ORDER BY d.id
                """, arguments: [jobID]).map { row in
                let name: String = row["name"]
                return RecipientRow(
                    platformID: row["platform_id"], name: name.isEmpty ? nil : name, state: row["state"], reason: row["error"], attempts: row["attempts"],
                    sentAt: row["sent_at"], deliveredAt: row["delivered_at"], readAt: row["read_at"], clicks: row["clicks"], possibleDuplicate: row["possible_duplicate"]
                )
            }
        }
    }

    /// A campaign's named figures, as the report counters keep them (ReportCounters).
    static func counts(_ db: Database, campaign: Int64) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT name, n FROM campaign_counts WHERE campaign_id = ?", arguments: [campaign]) {
            counts[row["name"]] = row["n"]
        }
        return counts
    }

    /// One campaign's funnel from its `campaigns` row and its report counters.
    static func funnel(_ db: Database, _ campaign: Row, platform: Platform) throws -> CampaignFunnel {
        let id: Int64 = campaign["id"]
        let counts = try Self.counts(db, campaign: id)
        var failed: [CampaignFunnel.Reason] = [], skipped: [CampaignFunnel.Reason] = []
        var finished = 0
        for (name, count) in counts where count != 0 {
            guard let colon = name.firstIndex(of: ":") else { continue }
            let state = name[..<colon], reason = String(name[name.index(after: colon)...])
            switch state {
            case "sent": finished += count
            case "failed": failed.append(CampaignFunnel.Reason(reason: reason.isEmpty ? "unknown" : reason, count: count)); finished += count
            case "skipped": skipped.append(CampaignFunnel.Reason(reason: reason.isEmpty ? "unknown" : reason, count: count)); finished += count
            default: break
            }
        }
        let order: (CampaignFunnel.Reason, CampaignFunnel.Reason) -> Bool = { ($1.count, $0.reason) < ($0.count, $1.reason) }
        let audience = counts["audience"] ?? 0
        return CampaignFunnel(
            id: id, jobID: campaign["job_id"], name: campaign["name"], account: campaign["account"], platform: platform, state: campaign["state"],
            audience: audience, sent: counts["sent:"] ?? 0, reportedDelivered: counts["people:delivered"] ?? 0, reportedRead: counts["people:read"] ?? 0,
            clickedHumans: counts["people:click"] ?? 0,
            humanClicks: counts["clicks:" + ClickAgent.human.rawValue] ?? 0,
            previewBotFetches: counts["clicks:" + ClickAgent.previewBot.rawValue] ?? 0,
            unknownFetches: counts["clicks:" + ClickAgent.unknown.rawValue] ?? 0,
            unsubscribed: counts["people:left"] ?? 0,
            pending: max(0, audience - finished),
            failed: failed.sorted(by: order), skipped: skipped.sorted(by: order), startedAt: campaign["started_at"], finishedAt: campaign["finished_at"]
        )
    }

    /// The report figures kept as rows were written that differ from the ones recomputed from the raw rows (none,
    /// when every writer kept them); the store is left with the recomputed ones.
    public func reportCountsDrift() async throws -> [String] {
        try await database.write { db in
            let kept = try ReportCounters.snapshot(db)
            try ReportCounters.rebuild(db)
            let rebuilt = try ReportCounters.snapshot(db)
            return kept.filter { !rebuilt.contains($0) }.map { "kept " + $0 } + rebuilt.filter { !kept.contains($0) }.map { "rebuilt " + $0 }
        }
    }

    /// Recomputes every report figure from the raw deliveries and events (`herald report --rebuild`); returns how
    /// many campaigns have figures.
    public func rebuildReportCounts() async throws -> Int {
        try await database.write { db in
            try ReportCounters.rebuild(db)
            return try Int.fetchOne(db, sql: "SELECT count(DISTINCT campaign_id) FROM campaign_counts") ?? 0
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
                FROM campaigns c JOIN deliveries d ON d.campaign_id = c.id WHERE c.kind NOT IN ('campaign', 'test') GROUP BY c.account, name ORDER BY c.account, sent DESC
                """).map { AutomatedCount(account: $0["account"], name: $0["name"], sent: $0["sent"], failed: $0["failed"]) }
        }
    }
}

extension HeraldStore {
    /// Running, paused and scheduled campaigns (automated messages included), earliest first.
    public func campaignsInProgress() async throws -> [CampaignProgress] {
        try await database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT c.job_id, c.account, c.state, c.send_at, c.started_at, c.audience_expanded, count(d.id) AS deliveries,
                       coalesce(sum(d.state = 'sent'), 0) AS sent, coalesce(sum(d.state IN ('pending', 'sending', 'uncertain')), 0) AS open,
                       coalesce(sum(d.state = 'failed'), 0) AS failed, coalesce(sum(d.state = 'skipped'), 0) AS skipped
                FROM campaigns c LEFT JOIN deliveries d ON d.campaign_id = c.id
                WHERE c.state IN ('running', 'paused', 'scheduled') GROUP BY c.id ORDER BY c.send_at, c.id
                """).map { row in
                CampaignProgress(
                    jobID: row["job_id"], account: row["account"], state: row["state"], sendAt: row["send_at"], startedAt: row["started_at"],
                    deliveries: row["deliveries"], sent: row["sent"], open: row["open"], failed: row["failed"], skipped: row["skipped"],
                    audienceExpanded: row["audience_expanded"]
                )
            }
        }
    }

    /// Open deliveries of every campaign by what they wait for.
    public func deliveryBacklog() async throws -> DeliveryBacklog {
        try await database.read { db in
            let row = try Row.fetchOne(db, sql: OpenDeliverySQL.backlog)!
            return DeliveryBacklog(sending: row["sending"], retrying: row["retrying"], uncertain: row["uncertain"], waiting: row["waiting"])
        }
    }
}

extension HeraldStore {
    /// An account's audience: by status, source and tag, and the last `days` UTC days of comings and goings.
    public func audienceReport(account: String, days: Int = 30, now: Date) async throws -> AudienceReport {
        try await database.read { db in
            let byStatus = try Row.fetchAll(db, sql: "SELECT status, count(*) AS n FROM subscribers WHERE account = ? GROUP BY status ORDER BY n DESC", arguments: [account])
                .map { AudienceReport.Count(label: $0["status"], total: $0["n"], now: $0["status"] == "subscribed" ? $0["n"] : 0) }
            let bySource = try Row.fetchAll(db, sql: """
                SELECT coalesce(source, 'unknown') AS label, count(*) AS n, sum(status = 'subscribed') AS now FROM subscribers WHERE account = ? GROUP BY label ORDER BY n DESC
                """, arguments: [account]).map { AudienceReport.Count(label: $0["label"], total: $0["n"], now: $0["now"]) }
            let byTag = try Row.fetchAll(db, sql: """
                SELECT t.tag AS label, count(*) AS n, sum(s.status = 'subscribed') AS now FROM subscriber_tags t JOIN subscribers s ON s.id = t.subscriber_id
                WHERE s.account = ? GROUP BY t.tag ORDER BY n DESC
                """, arguments: [account]).map { AudienceReport.Count(label: $0["label"], total: $0["n"], now: $0["now"]) }
            let since = now.millisecondsSince1970 - Int64(days) * 86_400_000
            var perDay: [String: (Int, Int)] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT date(at / 1000, 'unixepoch') AS day, sum(kind = 'subscribed') AS came, sum(kind IN ('unsubscribed', 'blocked')) AS left
                FROM events WHERE account = ? AND kind IN ('subscribed', 'unsubscribed', 'blocked') AND at >= ? GROUP BY day
                """, arguments: [account, since]) {
                perDay[row["day"]] = (row["came"], row["left"])
            }
            let dayList = perDay.keys.sorted().map { AudienceReport.Day(day: $0, subscribed: perDay[$0]!.0, left: perDay[$0]!.1) }
            return AudienceReport(account: account, byStatus: byStatus, bySource: bySource, byTag: byTag, days: dayList)
        }
    }

    /// One subscriber as the ledger knows them, by the platform's id; nil when unknown.
    public func subscriberDetail(account: String, platformID: String) async throws -> [(String, String)]? {
        try await database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM subscribers WHERE account = ? AND platform_id = ?", arguments: [account, platformID]) else { return nil }
            let id: Int64 = row["id"]
            func time(_ column: String) -> String { ReportRendering.time(row[column]) ?? "—" }
            var lines: [(String, String)] = [
                ("account", account), ("id", platformID), ("status", row["status"]), ("source", row["source"] ?? "—"),
                ("name", [row["first_name"] as String?, row["last_name"]].compactMap { $0 }.joined(separator: " ")),
                ("username", row["username"] ?? "—"), ("locale", row["locale"] ?? "—"), ("fields", row["fields"]),
                ("tags", try String.fetchAll(db, sql: "SELECT tag FROM subscriber_tags WHERE subscriber_id = ? ORDER BY tag", arguments: [id]).joined(separator: ", ")),
                ("subscribed", time("subscribed_at")), ("unsubscribed", time("unsubscribed_at")), ("last message from them", time("last_inbound_at")),
            ]
            for consent in try Row.fetchAll(db, sql: "SELECT tool, version, text, given_at FROM subscriber_consents WHERE subscriber_id = ? ORDER BY given_at", arguments: [id]) {
                lines.append(("consent", "\(consent["tool"] as String), version \(consent["version"] as String), at \(ReportRendering.time(consent["given_at"]) ?? "?"): \(consent["text"] as String)"))
            }
            let deliveries = try Row.fetchAll(db, sql: "SELECT state, count(*) AS n FROM deliveries WHERE subscriber_id = ? GROUP BY state ORDER BY state", arguments: [id])
            lines.append(("deliveries", deliveries.isEmpty ? "none" : deliveries.map { "\($0["n"] as Int) \($0["state"] as String)" }.joined(separator: ", ")))
            // Sends are their delivery rows; a `sent` event only marks one that an echo resolved, shown by its row.
            for event in try Row.fetchAll(db, sql: """
                SELECT kind, at, job_id FROM (
                    SELECT e.kind, e.at, c.job_id, e.id AS event_id, 0 AS delivery_id FROM events e LEFT JOIN campaigns c ON c.id = e.campaign_id
                    WHERE e.subscriber_id = ?1 AND e.kind != 'sent'
                    UNION ALL
                    SELECT 'sent', d.sent_at, c.job_id, 0, d.id FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id
                    WHERE d.subscriber_id = ?1 AND d.state = 'sent' AND d.sent_at IS NOT NULL
                ) ORDER BY at DESC, event_id DESC, delivery_id DESC LIMIT 10
                """, arguments: [id]) {
                lines.append(("event", "\(ReportRendering.time(event["at"]) ?? "") \(event["kind"] as String)" + ((event["job_id"] as String?).map { " (\($0))" } ?? "")))
            }
            return lines
        }
    }
}

extension HeraldStore {
    /// Open deliveries (pending, being sent, uncertain) by account and minutes since their campaign started.
    public func queueShape(now: Date) async throws -> QueueShape {
        try await database.read { db in
            var shape = QueueShape()
            for row in try Row.fetchAll(db, sql: OpenDeliverySQL.queueShape, arguments: [now.millisecondsSince1970]) {
                shape.add(account: row["account"], minutes: row["minutes"], count: row["n"])
            }
            return shape
        }
    }
}
