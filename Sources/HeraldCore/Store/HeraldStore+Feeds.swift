import Foundation
import GRDB
import HeraldModel

/// A feed automation as stored: its job's settings and its poll state.
public struct StoredFeed: Sendable, Equatable {
    public var name: String
    public var account: String
    /// The feed job's fields besides type, id, action and name (JSON).
    public var settings: String
    /// Changes with every job that updates the feed.
    public var revision: Int64
    /// The revision the last poll ran with: behind `revision`, the feed changed (or was asked to run) since.
    public var polledRevision: Int64?
    public var title: String?
    public var nextRunAt: Date?
    public var lastRunAt: Date?
    /// Nil until the source was first read: the next run is a first run (its items are remembered, not sent).
    public var lastSuccessAt: Date?
    public var lastError: String?
    public var etag: String?
    public var lastModified: String?
    public var itemsSent: Int
    public var campaignsCreated: Int

    init(row: Row) {
        name = row["name"]
        account = row["account"]
        settings = row["settings"]
        revision = row["revision"]
        polledRevision = row["polled_revision"]
        title = row["title"]
        nextRunAt = (row["next_run_at"] as Int64?).map(Date.init(millisecondsSince1970:))
        lastRunAt = (row["last_run_at"] as Int64?).map(Date.init(millisecondsSince1970:))
        lastSuccessAt = (row["last_success_at"] as Int64?).map(Date.init(millisecondsSince1970:))
        lastError = row["last_error"]
        etag = row["etag"]
        lastModified = row["last_modified"]
        itemsSent = row["items_sent"]
        campaignsCreated = row["campaigns_created"]
    }
}

/// One run's outcome, written in one transaction with the campaigns it creates.
public struct FeedRunRecord: Sendable {
    public var plan: FeedRunPlan
    /// The campaigns to create: one per item, or one digest.
    public var campaigns: [(jobID: JobID, draft: CampaignDraft, items: [String])]
    public var title: String
    public var etag: String?
    public var lastModified: String?

    public init(plan: FeedRunPlan, campaigns: [(jobID: JobID, draft: CampaignDraft, items: [String])], title: String, etag: String?, lastModified: String?) {
        self.plan = plan
        self.campaigns = campaigns
        self.title = title
        self.etag = etag
        self.lastModified = lastModified
    }
}

extension HeraldStore {
    static let feedColumns = """
        name, account, settings, revision, polled_revision, title, next_run_at, last_run_at, last_success_at, last_error, etag, last_modified, items_sent, campaigns_created
        """

    /// Every feed automation, by name.
    public func feeds() async throws -> [StoredFeed] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.feedColumns) FROM feeds ORDER BY name").map(StoredFeed.init(row:))
        }
    }

    public func feed(named name: String) async throws -> StoredFeed? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.feedColumns) FROM feeds WHERE name = ?", arguments: [name]).map(StoredFeed.init(row:))
        }
    }

    /// Which of `keys` the feed has already seen.
    public func seenFeedItems(feed: String, keys: [String]) async throws -> Set<String> {
        try await database.read { db in
            Set(try String.fetchAll(
                db, sql: "SELECT key FROM feed_items WHERE feed = ? AND key IN (SELECT value FROM json_each(?))",
                arguments: [feed, JSONValue.array(keys.map(JSONValue.string)).jsonText]
            ))
        }
    }

    /// Records a successful run: the items remembered, the campaigns created, the validators and counts, all in one
    /// transaction, so that a crash leaves either the whole run or none of it (and an item is never sent twice).
    /// Returns false, writing nothing, when the feed was changed or deleted while it was fetched.
    public func recordFeedRun(feed name: String, revision: Int64, _ record: FeedRunRecord, now: Date) async throws -> [CreatedCampaign]? {
        try await database.write { db in
            guard try Int64.fetchOne(db, sql: "SELECT revision FROM feeds WHERE name = ?", arguments: [name]) == revision else { return nil }
            let ms = now.millisecondsSince1970
            var created: [CreatedCampaign] = []
            var jobOfItem: [String: String] = [:]
            for campaign in record.campaigns {
                var jobID = campaign.jobID
                // The same item id again (a feed deleted and created anew): a new job id, never a refused run.
                if try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM jobs WHERE id = ?)", arguments: [jobID.rawValue]) == true {
                    jobID = JobID(unchecked: String("\(jobID.rawValue).\(ms)".prefix(128)))
                }
                let result = try Self.createCampaign(db, campaign.draft, jobID: jobID, origin: "feed \(name)", now: now)
                created.append(result)
                for key in campaign.items { jobOfItem[key] = jobID.rawValue }
            }
            let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO feed_items (feed, key, title, link, state, job_id, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
            for item in record.plan.send {
                try insert.execute(arguments: [name, item.key, item.title, item.link, "sent", jobOfItem[item.key], ms])
            }
            for (item, reason) in record.plan.skipped {
                try insert.execute(arguments: [name, item.key, item.title, item.link, reason.rawValue, nil, ms])
            }
            try db.execute(
                sql: """
                    UPDATE feeds SET title = ?, last_run_at = ?, last_success_at = ?, last_error = NULL, etag = ?, last_modified = ?,
                        items_sent = items_sent + ?, campaigns_created = campaigns_created + ?, polled_revision = revision WHERE name = ?
                    """,
                arguments: [record.title, ms, ms, record.etag, record.lastModified, record.plan.send.count, created.count, name]
            )
            return created
        }
    }

    /// A run that found nothing new to read (304 Not Modified).
    public func recordFeedUnchanged(feed name: String, revision: Int64, now: Date) async throws {
        let ms = now.millisecondsSince1970
        try await database.write { db in
            try db.execute(
                sql: "UPDATE feeds SET last_run_at = ?, last_success_at = ?, last_error = NULL, polled_revision = revision WHERE name = ? AND revision = ?",
                arguments: [ms, ms, name, revision]
            )
        }
    }

    /// A run that failed: the reason stays on the feed until a run succeeds.
    public func recordFeedFailure(feed name: String, revision: Int64, error: String, now: Date) async throws {
        try await database.write { db in
            try db.execute(
                sql: "UPDATE feeds SET last_run_at = ?, last_error = ?, polled_revision = ? WHERE name = ?",
                arguments: [now.millisecondsSince1970, String(error.prefix(1000)), revision, name]
            )
        }
    }

    /// When the feed is polled next.
    public func scheduleFeed(_ name: String, at date: Date) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE feeds SET next_run_at = ? WHERE name = ?", arguments: [date.millisecondsSince1970, name])
        }
    }

    /// The items a feed has seen, newest first (`herald feeds --items`).
    public func feedItems(feed: String, limit: Int) async throws -> [(key: String, title: String, state: String, jobID: String?, seenAt: Date)] {
        try await database.read { db in
            try Row.fetchAll(
                db, sql: "SELECT key, title, state, job_id, seen_at FROM feed_items WHERE feed = ? ORDER BY seen_at DESC, key LIMIT ?", arguments: [feed, limit]
            ).map { ($0["key"], $0["title"], $0["state"], $0["job_id"], Date(millisecondsSince1970: $0["seen_at"])) }
        }
    }
}
