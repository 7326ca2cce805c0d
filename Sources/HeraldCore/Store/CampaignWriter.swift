import Foundation
import GRDB
import HeraldModel

/// Creates a campaign or a transactional message from a draft inside a write transaction: the one way a
/// campaign comes to exist, whether from a job file (intake), a feed, an automated reply or a growth tool.
struct CampaignWriter {
    let db: Database
    let now: Int64

    /// What was created.
    struct Created {
        var campaignID: Int64
        /// Deliveries written now (listed audiences); nil when the audience is expanded at send time.
        var recipients: Int?
    }

    /// Writes the campaign (its stored spec, schedule and expiry) for the job `jobID`, whose row must exist, and
    /// the deliveries of a listed audience. Throws `JobValidationError` (`unknown_subscriber`) for a listed
    /// subscriber the account does not have; `audiencePath` says where it was listed.
    func create(_ draft: CampaignDraft, jobID: String, audiencePath: JSONPath) throws -> Created {
        let writer = SubscriberWriter(db: db, now: now)
        var subscriberIDs: [Int64]? = nil
        switch draft.audience {
        case .all, .tags:
            break
        case .subscribers(let platformIDs):
            var ids: [Int64] = []
            ids.reserveCapacity(platformIDs.count)
            for (index, platformID) in platformIDs.enumerated() {
                guard let id = try writer.subscriberID(account: draft.account, platformID: platformID) else {
                    if draft.kind == .test {
                        throw JobValidationError(
                            path: audiencePath.appending(index), code: "unknown_subscriber",
                            "no subscriber \(platformID) on account \(draft.account): a test goes to existing subscribers (start the bot, or message the page, first)"
                        )
                    }
                    throw JobValidationError(
                        path: audiencePath.appending("subscribers").appending(index), code: "unknown_subscriber",
                        "no subscriber \(platformID) on account \(draft.account); import it first or use \"recipients\""
                    )
                }
                ids.append(id)
            }
            subscriberIDs = ids
        case .recipients(let recipients):
            subscriberIDs = try recipients.map { try writer.upsert($0, account: draft.account, source: draft.source, tags: []).id }
        }
        try db.execute(
            sql: """
                INSERT INTO campaigns (job_id, account, name, kind, priority, state, send_at, expires_at, audience_expanded, spec, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                jobID, draft.account, draft.name, draft.kind.rawValue, draft.kind.priority, CampaignState.scheduled.rawValue,
                max(draft.sendAt ?? now, 0), draft.expiresAt, subscriberIDs != nil, draft.spec.encoded(), now,
            ]
        )
        let campaignID = db.lastInsertedRowID
        if draft.spec.options.tracking {
            // The one place a tracked link's target is kept: a click redirects here, never to a URL it carries.
            let link = try db.cachedStatement(sql: "INSERT INTO campaign_links (campaign_id, link_index, url) VALUES (?, ?, ?)")
            for (index, url) in TrackedLinks.links(draft.spec.content, platform: draft.spec.platform).enumerated() {
                try link.execute(arguments: [campaignID, index, url.string])
            }
        }
        if let subscriberIDs {
            let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO deliveries (campaign_id, subscriber_id, state, updated_at) VALUES (?, ?, ?, ?)")
            var added = 0
            for subscriberID in subscriberIDs {
                try insert.execute(arguments: [campaignID, subscriberID, DeliveryState.pending.rawValue, now])
                added += db.changesCount
            }
            try ReportCounters.add(db, campaign: campaignID, "audience", added)
        }
        try db.execute(sql: "UPDATE jobs SET state = ?, updated_at = ? WHERE id = ?", arguments: [JobState.queued.rawValue, now, jobID])
        return Created(campaignID: campaignID, recipients: subscriberIDs?.count)
    }

    /// One line for the job's detail: `campaign 12 scheduled for …, expires …, 3 recipients`.
    static func summary(_ draft: CampaignDraft, _ created: Created, now: Int64) -> String {
        var when = "due now"
        if let sendAt = draft.sendAt {
            if sendAt > now {
                when = "scheduled for \(Date(millisecondsSince1970: sendAt))"
            } else if sendAt < now - Int64(JobWarning.pastSendAtSlack * 1000) {
                when = "due now (its send_at \(Date(millisecondsSince1970: sendAt)) is already past)"
            }
        }
        if let expiresAt = draft.expiresAt { when += ", expires \(Date(millisecondsSince1970: expiresAt))" }
        let who = created.recipients.map { "\($0) recipients" } ?? "audience expanded at send time"
        return "\(draft.kind.rawValue) \(created.campaignID) \(when), \(who)"
    }
}
