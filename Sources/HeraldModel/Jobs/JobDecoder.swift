import Foundation

/// Turns the bytes of a job file into a validated `Job`, or the first reason it cannot be accepted.
///
/// ```swift
/// let decoder = JobDecoder(accounts: AccountDirectory(["shop_bot": .telegram]), now: Date())
/// let job = try decoder.decode(Array(data))
/// ```
public struct JobDecoder: Sendable {
    /// The schema versions this build understands.
    public static let schemaVersions: ClosedRange<Int64> = 1...1

    public var accounts: AccountDirectory
    /// The current time, for checks such as how far ahead a campaign may be scheduled.
    public var now: Date
    public var maxDepth: Int
    /// Send options a job's `options` start from (the configuration's `[defaults]`).
    public var defaultOptions: SendOptions
    /// Whether tracked links can be made (the configuration has a public URL for them to point at).
    public var canTrackLinks: Bool

    public init(accounts: AccountDirectory, now: Date, maxDepth: Int = 32, defaultOptions: SendOptions = SendOptions(), canTrackLinks: Bool = true) {
        self.accounts = accounts
        self.now = now
        self.maxDepth = maxDepth
        self.defaultOptions = defaultOptions
        self.canTrackLinks = canTrackLinks
    }

    /// Parses and validates a whole job file.
    public func decode(_ bytes: [UInt8]) throws(JobValidationError) -> Job {
        let value: JSONValue
        do {
            value = try JSONParser(maxDepth: maxDepth).parse(bytes)
        } catch {
            throw JobValidationError(path: error.path, code: "malformed_json", "not valid JSON: \(error)")
        }
        return try decode(value)
    }

    /// Validates an already parsed document.
    public func decode(_ value: JSONValue) throws(JobValidationError) -> Job {
        let root = JSONNode(value)
        guard case .object = value else { throw root.error("wrong_type", "a job must be a JSON object, not \(value.kindDescription)") }
        var fields = try root.object()
        fields.allow("$schema")
        if let version = fields.optional("version") {
            let number = try version.integer(in: Int64.min...Int64.max)
            guard JobDecoder.schemaVersions.contains(number) else {
                throw version.error("unsupported_version", "schema version \(number) is not supported by this Herald (it reads version 1)")
            }
        }
        let typeNode = try fields.required("type")
        let typeName = try typeNode.string()
        guard let kind = Job.Kind(rawValue: typeName) else {
            let all = Job.Kind.allCases.map(\.rawValue)
            throw typeNode.error("unknown_type", "unknown job type \(JSONPath.quote(typeName)); one of \(all.joined(separator: ", "))\(Suggestion.hint(for: typeName, in: all))")
        }
        let id = try fields.optional("id").map { node throws(JobValidationError) in try JobID.parse(node) }
        let body: Job.Body
        switch kind {
        case .campaign: body = .campaign(try CampaignJob.parse(&fields, context: self))
        case .message: body = .message(try MessageJob.parse(&fields, context: self))
        case .subscribers: body = .subscribers(try SubscribersJob.parse(&fields, context: self))
        case .automation: body = .automation(try AutomationJob.parse(&fields, context: self, path: root.path))
        case .feed: body = .feed(try FeedJob.parse(&fields, context: self))
        case .growthTool: body = .growthTool(try GrowthToolJob.parse(&fields, context: self))
        case .cancel: body = .control(try ControlJob.parse(&fields, action: .cancel))
        case .pause: body = .control(try ControlJob.parse(&fields, action: .pause))
        case .resume: body = .control(try ControlJob.parse(&fields, action: .resume))
        case .retry: body = .retry(try RetryJob.parse(&fields, path: root.path, now: now))
        }
        try fields.finish()
        let job = Job(id: id, body: body)
        if !canTrackLinks, let draft = CampaignDraft(job), draft.spec.options.tracking, !TrackedLinks.links(draft.spec.content, platform: draft.spec.platform).isEmpty {
            throw JobValidationError(
                path: root.path.appending("options").appending("tracking"), code: "no_public_url", "click tracking is on and the message has links, but [http] public_url is not set, so there is no address for tracked links: set public_url, or send with \"options\": {\"tracking\": false}"
            )
        }
        return job
    }
}
