import Foundation

/// A bulk send: one message to an audience, now or at `send_at`.
public struct CampaignJob: Sendable, Hashable {
    public var account: String
    public var platform: Platform
    public var name: String?
    public var audience: Audience
    public var message: MessageContent
    public var sendAt: SendTime?
    /// Not started after this, and deliveries still pending then are skipped as `expired`.
    public var expiresAt: SendTime?
    public var options: SendOptions

    static func parse(_ fields: inout ObjectReader, context: JobDecoder) throws(JobValidationError) -> CampaignJob {
        let (account, platform) = try context.accounts.account(try fields.required("account"))
        let name = try fields.optional("name").map { node throws(JobValidationError) in try node.text(maxLength: 200) }
        let audience = try Audience.parse(try fields.required("audience", forms: Audience.forms), platform: platform)
        let message = try MessageContent.parse(try fields.required("message"), platform: platform)
        let sendAt = try fields.optional("send_at").map { node throws(JobValidationError) in try SendTime.parse(node, now: context.now) }
        let expiresAt = try SendTime.expiry(fields.optional("expires_at"), after: sendAt?.date, now: context.now)
        let options = try SendOptions.parse(fields.optional("options"), platform: platform, automated: true, defaults: context.defaultOptions)
        return CampaignJob(account: account, platform: platform, name: name, audience: audience, message: message, sendAt: sendAt, expiresAt: expiresAt, options: options)
    }
}

/// A transactional send to named recipients; it goes ahead of bulk campaigns.
public struct MessageJob: Sendable, Hashable {
    public var account: String
    public var platform: Platform
    public var recipients: [Recipient]
    public var message: MessageContent
    /// Deliveries still pending at this time are skipped as `expired` (a code that is no longer valid, say).
    public var expiresAt: SendTime?
    public var options: SendOptions
    /// A test copy (`herald test-send`): to existing subscribers only, kept out of campaign reports.
    public var test = false

    /// The most recipients of one transactional message.
    public static let maxRecipients = 1000
    /// The most recipients of one test copy: the people checking it, not an audience.
    public static let maxTestRecipients = 10

    static func parse(_ fields: inout ObjectReader, context: JobDecoder) throws(JobValidationError) -> MessageJob {
        let (account, platform) = try context.accounts.account(try fields.required("account"))
        let recipients = try Recipients.parse(try fields.required("to"), platform: platform, max: maxRecipients)
        let message = try MessageContent.parse(try fields.required("message"), platform: platform)
        let expiresAt = try SendTime.expiry(fields.optional("expires_at"), after: nil, now: context.now)
        let options = try SendOptions.parse(fields.optional("options"), platform: platform, automated: false, defaults: context.defaultOptions)
        var job = MessageJob(account: account, platform: platform, recipients: recipients, message: message, expiresAt: expiresAt, options: options)
        if let node = fields.optional("test") {
            job.test = try node.bool()
            let to = JSONPath.root.appending("to")
            if job.test, recipients.count > maxTestRecipients {
                throw JobValidationError(path: to, code: "too_many", "a test goes to at most \(maxTestRecipients) subscribers, the people checking it")
            }
            if job.test, recipients.contains(where: { $0 != Recipient(platformID: $0.platformID) }) {
                throw JobValidationError(path: to, code: "invalid_value", "a test goes to existing subscribers by id, with their stored profiles: give ids only")
            }
        }
        return job
    }
}

/// `cancel`, `pause` or `resume` of an earlier job, by its id.
public struct ControlJob: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable { case cancel, pause, resume }
    public var action: Action
    public var target: JobID

    static func parse(_ fields: inout ObjectReader, action: Action) throws(JobValidationError) -> ControlJob {
        ControlJob(action: action, target: try JobID.parse(try fields.required("job")))
    }
}
