import Foundation
import GRDB
import HeraldModel

extension HeraldStore {
    /// Creates a campaign that never was a job file (a feed item, an automated reply, a growth tool): it gets a
    /// job row under `jobID` (so `herald status` and control jobs reach it like any other) whose text is the
    /// stored spec, and `origin` stands where a job's file name would (`feed blog`, `automation welcome`).
    /// Throws `JobValidationError` for a duplicate id or an unknown listed subscriber; nothing is written then.
    public func createCampaign(_ draft: CampaignDraft, jobID: JobID, origin: String, now: Date) async throws -> CreatedCampaign {
        try await database.write { db in try Self.createCampaign(db, draft, jobID: jobID, origin: origin, now: now) }
    }

    static func createCampaign(_ db: Database, _ draft: CampaignDraft, jobID: JobID, origin: String, now: Date) throws -> CreatedCampaign {
        let ms = now.millisecondsSince1970
        if let existing = try String.fetchOne(db, sql: "SELECT file_name FROM jobs WHERE id = ?", arguments: [jobID.rawValue]) {
            throw JobValidationError(path: JSONPath.root.appending("id"), code: "duplicate_id", "duplicate job id \"\(jobID)\": already used (by \(existing))")
        }
        try db.execute(
            sql: "INSERT INTO jobs (id, receipt, kind, account, state, file_name, body, accepted_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            arguments: [jobID.rawValue, "\(origin):\(jobID)", draft.kind.rawValue, draft.account, JobState.accepted.rawValue, origin, draft.spec.encoded(), ms, ms]
        )
        let created = try CampaignWriter(db: db, now: ms).create(draft, jobID: jobID.rawValue, audiencePath: JSONPath.root.appending("audience"))
        let summary = CampaignWriter.summary(draft, created, now: ms)
        try db.execute(sql: "UPDATE jobs SET detail = ? WHERE id = ?", arguments: [summary, jobID.rawValue])
        return CreatedCampaign(campaignID: created.campaignID, jobID: jobID, summary: summary)
    }

    /// Queues one transactional message (an automated reply, a confirmation) to listed recipients: it goes
    /// ahead of bulk campaigns, within milliseconds once the dispatcher is woken.
    public func enqueueMessage(
        account: String, spec: CampaignSpec, to recipients: [Recipient], jobID: JobID, origin: String, source: String = "job",
        expiresAt: Int64? = nil, now: Date
    ) async throws -> CreatedCampaign {
        var spec = spec
        spec.audience = .listed
        let draft = CampaignDraft(kind: .message, account: account, spec: spec, audience: .recipients(recipients), expiresAt: expiresAt, source: source)
        return try await createCampaign(draft, jobID: jobID, origin: origin, now: now)
    }
}
