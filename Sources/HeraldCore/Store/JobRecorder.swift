import Foundation
import GRDB
import HeraldModel

/// Records one validated job inside the intake transaction, or rejects it for a reason only the database knows
/// (a duplicate id, an unknown subscriber, a control job whose target cannot take it).
struct JobRecorder {
    let db: Database
    let now: Int64

    func record(_ candidate: IntakeCandidate) throws -> IntakeVerdict {
        let id = candidate.jobID.rawValue
        if let existing = try Row.fetchOne(db, sql: "SELECT kind, accepted_at, file_name FROM jobs WHERE id = ?", arguments: [id]) {
            let kind: String = existing["kind"]
            let file: String = existing["file_name"]
            return .rejected(JobValidationError(
                path: JSONPath.root.appending("id"), code: "duplicate_id",
                "duplicate job id \"\(id)\": a \(kind) job with this id was already accepted (from \(file)); give each job a new id"
            ))
        }
        try db.execute(
            sql: "INSERT INTO jobs (id, receipt, kind, account, state, file_name, body, accepted_at, updated_at) VALUES (?, ?, ?, ?, 'accepted', ?, ?, ?, ?)",
            arguments: [id, candidate.receipt, candidate.job.kind.rawValue, candidate.job.account, candidate.fileName, candidate.body, now, now]
        )
        let outcome: Outcome
        var state = "completed"
        switch candidate.job.body {
        case .campaign, .message:
            outcome = try recordCampaign(CampaignDraft(candidate.job)!, jobID: id, audiencePath: candidate.job.kind == .message ? "to" : "audience")
            state = JobState.queued.rawValue
        case .subscribers(let job):
            outcome = try SubscriberWriter(db: db, now: now).apply(job, jobID: id, recipients: candidate.subscriberRows ?? [])
        case .automation(let job):
            outcome = .ok(try recordAutomation(job, document: candidate.document, jobID: id))
        case .feed(let job):
            outcome = try recordFeed(job, document: candidate.document, jobID: id)
        case .growthTool(let job):
            outcome = try recordGrowthTool(job, document: candidate.document, jobID: id)
        case .control(let control):
            outcome = try applyControl(control)
        case .retry(let retry):
            outcome = try applyRetry(retry, jobID: id)
        }
        // On rejection the caller rolls the savepoint back, taking the job row with it.
        guard case .ok(let summary) = outcome else { return outcome.verdict }
        try db.execute(sql: "UPDATE jobs SET state = ?, detail = ? WHERE id = ?", arguments: [state, summary, id])
        return .accepted(summary: summary)
    }

    /// A step that either succeeds with a summary or rejects the job.
    enum Outcome {
        case ok(String)
        case rejected(JobValidationError)

        var verdict: IntakeVerdict {
            switch self {
            case .ok(let summary): .accepted(summary: summary)
            case .rejected(let error): .rejected(error)
            }
        }
    }

    private func recordCampaign(_ draft: CampaignDraft, jobID: String, audiencePath: String) throws -> Outcome {
        do {
            let created = try CampaignWriter(db: db, now: now).create(draft, jobID: jobID, audiencePath: JSONPath.root.appending(audiencePath))
            return .ok(CampaignWriter.summary(draft, created, now: now))
        } catch let error as JobValidationError {
            return .rejected(error)
        }
    }

    private func recordAutomation(_ job: AutomationJob, document: JSONValue, jobID: String) throws -> String {
        guard case .object(let object) = document else { return "no settings" }
        var changed: [String] = []
        for setting in AutomationJob.settings {
            guard let value = object[setting] else { continue }
            if value == .null {
                try db.execute(sql: "DELETE FROM automations WHERE account = ? AND setting = ?", arguments: [job.account, setting])
                changed.append("\(setting) cleared")
            } else {
                try db.execute(
                    sql: "INSERT INTO automations (account, setting, value, job_id, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(account, setting) DO UPDATE SET value = excluded.value, job_id = excluded.job_id, updated_at = excluded.updated_at",
                    arguments: [job.account, setting, value.jsonText, jobID, now]
                )
                changed.append("\(setting) set")
            }
        }
        return "automation for \(job.account): " + changed.joined(separator: ", ")
    }

    private func recordFeed(_ job: FeedJob, document: JSONValue, jobID: String) throws -> Outcome {
        let exists = try Row.fetchOne(db, sql: "SELECT settings, account FROM feeds WHERE name = ?", arguments: [job.name])
        let namePath = JSONPath.root.appending("name")
        switch job.action {
        case .create:
            if exists != nil { return .rejected(JobValidationError(path: namePath, code: "duplicate_feed", "a feed named \"\(job.name)\" already exists; use \"action\": \"update\"")) }
            try db.execute(
                sql: "INSERT INTO feeds (name, account, settings, state, job_id, created_at, updated_at) VALUES (?, ?, ?, 'active', ?, ?, ?)",
                arguments: [job.name, job.settings.account, JSONValue.object(try Self.settings(of: document)).jsonText, jobID, now, now]
            )
            return .ok("feed \(job.name) created")
        case .update:
            guard let exists else { return .rejected(JobValidationError(path: namePath, code: "unknown_feed", "no feed named \"\(job.name)\"; create it first")) }
            let previous: String = exists["settings"]
            let merged = try Self.settings(of: document, over: previous)
            let account: String = job.settings.account ?? exists["account"]
            // Another source or account is another catalogue: its next run remembers what is there instead of sending it.
            let newCatalogue = merged["source"] != (try JSONParser().parse(Array(previous.utf8)))["source"] || account != exists["account"]
            try db.execute(
                sql: """
                    UPDATE feeds SET settings = ?, account = ?, job_id = ?, updated_at = ?, revision = revision + 1,
                        last_success_at = CASE WHEN ? THEN NULL ELSE last_success_at END,
                        etag = CASE WHEN ? THEN NULL ELSE etag END, last_modified = CASE WHEN ? THEN NULL ELSE last_modified END
                    WHERE name = ?
                    """,
                arguments: [JSONValue.object(merged).jsonText, account, jobID, now, newCatalogue, newCatalogue, newCatalogue, job.name]
            )
            if newCatalogue { try db.execute(sql: "DELETE FROM feed_items WHERE feed = ?", arguments: [job.name]) }
            return .ok("feed \(job.name) updated")
        case .run:
            guard exists != nil else { return .rejected(JobValidationError(path: namePath, code: "unknown_feed", "no feed named \"\(job.name)\"")) }
            // A new revision is what the poller polls at once; the validators stay, so an unchanged source is a 304.
            try db.execute(sql: "UPDATE feeds SET revision = revision + 1, job_id = ? WHERE name = ?", arguments: [jobID, job.name])
            return .ok("feed \(job.name) runs now")
        case .delete:
            guard exists != nil else { return .rejected(JobValidationError(path: namePath, code: "unknown_feed", "no feed named \"\(job.name)\"")) }
            try db.execute(sql: "DELETE FROM feeds WHERE name = ?", arguments: [job.name])
            try db.execute(sql: "DELETE FROM feed_items WHERE feed = ?", arguments: [job.name])
            return .ok("feed \(job.name) deleted")
        }
    }

    /// The fields of a settings job worth keeping: all but its envelope.
    static func settings(of document: JSONValue, over old: String? = nil) throws -> JSONObject {
        let envelope: Set<String> = ["type", "id", "action", "name", "version", "$schema"]
        var merged = JSONObject()
        let incoming: JSONObject = { if case .object(let object) = document { return object } else { return JSONObject() } }()
        if let old, case .object(let previous) = try JSONParser().parse(Array(old.utf8)) {
            for key in previous.keys where incoming[key] == nil { merged.insert(key, previous[key]!) }
        }
        for key in incoming.keys where !envelope.contains(key) { merged.insert(key, incoming[key]!) }
        return merged
    }

    private func recordGrowthTool(_ job: GrowthToolJob, document: JSONValue, jobID: String) throws -> Outcome {
        let exists = try Row.fetchOne(db, sql: "SELECT settings FROM growth_tools WHERE name = ?", arguments: [job.name])
        let namePath = JSONPath.root.appending("name")
        switch job.action {
        case .create:
            if exists != nil { return .rejected(JobValidationError(path: namePath, code: "duplicate_growth_tool", "a growth tool named \"\(job.name)\" already exists; use \"action\": \"update\"")) }
            try db.execute(
                sql: "INSERT INTO growth_tools (name, kind, settings, job_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [job.name, job.settings.kind?.rawValue, JSONValue.object(try Self.settings(of: document)).jsonText, jobID, now, now]
            )
            return .ok("growth tool \(job.name) created (\(job.settings.kind?.rawValue ?? "?"))")
        case .update:
            guard let exists else { return .rejected(JobValidationError(path: namePath, code: "unknown_growth_tool", "no growth tool named \"\(job.name)\"; create it first")) }
            let merged = try Self.settings(of: document, over: exists["settings"])
            try db.execute(
                sql: "UPDATE growth_tools SET settings = ?, kind = coalesce(?, kind), job_id = ?, updated_at = ? WHERE name = ?",
                arguments: [JSONValue.object(merged).jsonText, job.settings.kind?.rawValue, jobID, now, job.name]
            )
            return .ok("growth tool \(job.name) updated")
        case .delete:
            guard exists != nil else { return .rejected(JobValidationError(path: namePath, code: "unknown_growth_tool", "no growth tool named \"\(job.name)\"")) }
            try db.execute(sql: "DELETE FROM growth_tools WHERE name = ?", arguments: [job.name])
            return .ok("growth tool \(job.name) deleted")
        }
    }

    private func applyControl(_ control: ControlJob) throws -> Outcome {
        let path = JSONPath.root.appending("job")
        let target = control.target.rawValue
        guard let job = try Row.fetchOne(db, sql: "SELECT kind FROM jobs WHERE id = ?", arguments: [target]) else {
            return .rejected(JobValidationError(path: path, code: "unknown_job", "no job with id \"\(target)\""))
        }
        guard let campaign = try Row.fetchOne(db, sql: "SELECT id, state, send_at FROM campaigns WHERE job_id = ?", arguments: [target]) else {
            let kind: String = job["kind"]
            return .rejected(JobValidationError(path: path, code: "not_controllable", "job \"\(target)\" is a \(kind) job; only campaign and message jobs can be cancelled, paused or resumed"))
        }
        let campaignID: Int64 = campaign["id"]
        guard let state = CampaignState(rawValue: campaign["state"]) else {
            return .rejected(JobValidationError(path: path, code: "not_controllable", "job \"\(target)\" is in an unknown state"))
        }
        let transition: CampaignControl.Transition
        switch CampaignControl.apply(control.action, to: state) {
        case .success(let next):
            transition = next
        case .failure(let refusal):
            let message = switch refusal {
            case .alreadyFinished(let state): "job \"\(target)\" is already \(state.rawValue)"
            case .alreadyPaused: "job \"\(target)\" is already paused"
            case .notPaused(let state): "job \"\(target)\" is \(state.rawValue), not paused"
            case .notRetryable, .pastExpiry: "job \"\(target)\" cannot take \(control.action.rawValue)"
            }
            return .rejected(JobValidationError(path: path, code: refusal.code, message))
        }
        let next = transition.campaign.rawValue
        try db.execute(
            sql: "UPDATE campaigns SET state = ?, finished_at = CASE WHEN ? THEN ? ELSE finished_at END WHERE id = ?",
            arguments: [next, transition.finishes, now, campaignID]
        )
        try db.execute(sql: "UPDATE jobs SET state = ?, updated_at = ? WHERE id = ?", arguments: [transition.job.rawValue, now, target])
        if transition.skipsPending {
            try db.execute(sql: """
                INSERT INTO events (kind, at, campaign_id, subscriber_id, delivery_id, detail)
                SELECT 'skipped', ?, campaign_id, subscriber_id, id, '{"reason":"cancelled"}' FROM deliveries WHERE campaign_id = ? AND state IN ('pending', 'uncertain')
                """, arguments: [now, campaignID])
            try db.execute(
                sql: "UPDATE deliveries SET state = 'skipped', error = 'cancelled', updated_at = ? WHERE campaign_id = ? AND state IN ('pending', 'uncertain')",
                arguments: [now, campaignID]
            )
            try ReportCounters.moved(db, campaign: campaignID, count: db.changesCount, from: nil, to: ReportCounters.outcome("skipped", "cancelled"))
        }
        return .ok("\(control.action.rawValue) of \(target): campaign \(campaignID) \(state.rawValue) → \(next)")
    }

    /// Puts failed deliveries back: due now, attempts counted afresh, each with a `requeued` event after its
    /// `failed` one. Only subscribers still subscribed are retried: whoever blocked the bot or left is not
    /// messaged again. A completed campaign runs again; a cancelled, expired or failed one is left alone.
    private func applyRetry(_ retry: RetryJob, jobID: String) throws -> Outcome {
        let path = JSONPath.root.appending("job")
        let since = retry.failedSince?.millisecondsSince1970 ?? 0
        var candidates: [Row]
        if let target = retry.target?.rawValue {
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM jobs WHERE id = ?", arguments: [target]) != nil else {
                return .rejected(JobValidationError(path: path, code: "unknown_job", "no job with id \"\(target)\""))
            }
            guard let campaign = try Row.fetchOne(db, sql: "SELECT id, job_id, state, expires_at FROM campaigns WHERE job_id = ?", arguments: [target]) else {
                return .rejected(JobValidationError(path: path, code: "not_controllable", "job \"\(target)\" is not a campaign or message job: it has no deliveries to retry"))
            }
            candidates = [campaign]
        } else {
            candidates = try Row.fetchAll(db, sql: """
                SELECT c.id, c.job_id, c.state, c.expires_at FROM campaigns c
                WHERE c.kind IN ('campaign', 'message') AND EXISTS (SELECT 1 FROM deliveries d WHERE d.campaign_id = c.id AND d.state = 'failed' AND d.updated_at >= ?)
                ORDER BY c.id
                """, arguments: [since])
        }
        var retried = 0, campaigns = 0, leftOut: [String] = []
        for campaign in candidates {
            let id: Int64 = campaign["id"], target: String = campaign["job_id"]
            let state = CampaignState(rawValue: campaign["state"]) ?? .failed
            let transition: CampaignControl.Transition?
            switch CampaignControl.retry(state, expiresAt: campaign["expires_at"], now: now) {
            case .success(let next):
                transition = next
            case .failure(let refusal):
                let message = switch refusal {
                case .pastExpiry: "job \"\(target)\" is past its expires_at: what is put back would only be skipped as expired"
                default: "job \"\(target)\" is \(state.rawValue): a \(state.rawValue) campaign is not retried (submit it again as a new job)"
                }
                if retry.target != nil { return .rejected(JobValidationError(path: path, code: refusal.code, message)) }
                leftOut.append("\(target) (\(refusal == .pastExpiry ? "past its expires_at" : state.rawValue))")
                continue
            }
            let chosen = """
                FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
                WHERE d.campaign_id = ? AND d.state = 'failed' AND d.updated_at >= ? AND s.status = 'subscribed'
                """
            try db.execute(sql: """
                INSERT INTO events (kind, at, campaign_id, subscriber_id, delivery_id, detail)
                SELECT 'requeued', ?, d.campaign_id, d.subscriber_id, d.id, json_object('reason', d.error, 'job', ?) \(chosen)
                """, arguments: [now, jobID, id, since])
            for row in try Row.fetchAll(db, sql: "SELECT d.error, count(*) AS n \(chosen) GROUP BY d.error", arguments: [id, since]) {
                try ReportCounters.moved(db, campaign: id, count: row["n"], from: ReportCounters.outcome("failed", row["error"]), to: nil)
            }
            try db.execute(sql: """
                UPDATE deliveries SET state = 'pending', next_attempt_at = ?, attempts = 0, first_attempt_at = NULL, updated_at = ?
                WHERE id IN (SELECT d.id \(chosen))
                """, arguments: [now, now, id, since])
            let count = db.changesCount
            guard count > 0 else { continue }
            retried += count
            campaigns += 1
            try db.execute(sql: "UPDATE campaigns SET requeued_at = ? WHERE id = ?", arguments: [now, id])
            if let transition {
                try db.execute(sql: "UPDATE campaigns SET state = ?, finished_at = NULL WHERE id = ?", arguments: [transition.campaign.rawValue, id])
                try db.execute(sql: "UPDATE jobs SET state = ?, updated_at = ? WHERE id = ?", arguments: [transition.job.rawValue, now, target])
            }
        }
        var summary = retried == 0
            ? "nothing to retry: no failed deliveries to subscribers still subscribed"
            : "\(retried) failed deliver\(retried == 1 ? "y" : "ies") of \(campaigns) campaign\(campaigns == 1 ? "" : "s") due again"
        if let target = retry.target, retried > 0, candidates.count == 1 { summary += " (\(target))" }
        if !leftOut.isEmpty { summary += "; left out: " + leftOut.joined(separator: ", ") }
        return .ok(summary)
    }
}
