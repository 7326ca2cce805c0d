import Foundation

/// `retry`: failed deliveries of one campaign (`job`), or of every campaign that failed since a time
/// (`failed_since`), or both, are due again. Recipients who blocked the bot or left are never retried.
public struct RetryJob: Sendable, Hashable {
    /// The campaign or message job whose failures are retried; nil for every campaign.
    public var target: JobID?
    /// Only failures recorded at or after this time.
    public var failedSince: Date?

    public init(target: JobID?, failedSince: Date?) {
        self.target = target
        self.failedSince = failedSince
    }

    static func parse(_ fields: inout ObjectReader, path: JSONPath, now: Date) throws(JobValidationError) -> RetryJob {
        let target = try fields.optional("job").map { node throws(JobValidationError) in try JobID.parse(node) }
        var since: Date?
        if let node = fields.optional("failed_since") {
            let time = try SendTime.parse(node, now: now)
            guard time.date <= now else { throw node.error("out_of_range", "is in the future: failures are retried from a time that has passed") }
            since = time.date
        }
        guard target != nil || since != nil else {
            throw JobValidationError(
                path: path, code: "missing_field",
                "a retry names the campaign (\"job\": \"ID\"), a time (\"failed_since\": \"2026-12-01T09:00:00Z\") for every campaign's failures since then, or both"
            )
        }
        return RetryJob(target: target, failedSince: since)
    }
}
