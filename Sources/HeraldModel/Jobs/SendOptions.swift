/// How a campaign or message is delivered: notification, Messenger messaging type and tag, previews,
/// tracking, a rate below the account's, Telegram's protect-content and paid broadcast.
public struct SendOptions: Sendable, Hashable, Codable {
    public enum Notification: String, Sendable, Hashable, Codable { case regular, silent, noPush = "no_push" }
    public enum MessagingType: String, Sendable, Hashable, Codable { case update = "UPDATE", response = "RESPONSE", messageTag = "MESSAGE_TAG" }

    public var notification: Notification = .regular
    public var messagingType: MessagingType = .update
    public var tag: String?
    public var linkPreviews = true
    public var tracking = true
    /// Messages per second for this job, below the account's configured rate.
    public var rate: Double?
    public var protectContent = false
    public var paidBroadcast = false

    public init() {}

    /// Message tags Meta still accepts (the 2020 retirement left these five).
    public static let messageTags = ["ACCOUNT_UPDATE", "CONFIRMED_EVENT_UPDATE", "CUSTOMER_FEEDBACK", "HUMAN_AGENT", "POST_PURCHASE_UPDATE"]

    static func parse(_ node: JSONNode?, platform: Platform, automated: Bool, defaults: SendOptions = SendOptions()) throws(JobValidationError) -> SendOptions {
        var options = SendOptions()
        options.notification = defaults.notification
        options.linkPreviews = defaults.linkPreviews
        options.tracking = defaults.tracking
        guard let node else { return options }
        var fields = try node.object()
        if let value = fields.optional("notification") {
            options.notification = Notification(rawValue: try value.oneOf(["regular", "silent", "no_push"]))!
        }
        if let value = fields.optional("link_previews") { options.linkPreviews = try value.bool() }
        if let value = fields.optional("tracking") { options.tracking = try value.bool() }
        let ceiling: Double = platform == .telegram ? 1000 : 300
        if let value = fields.optional("rate") { options.rate = try value.number(in: 0.001...ceiling) }
        switch platform {
        case .messenger:
            if let value = fields.optional("messaging_type") {
                options.messagingType = MessagingType(rawValue: try value.oneOf(["UPDATE", "RESPONSE", "MESSAGE_TAG"]))!
            }
            if let value = fields.optional("tag") {
                let tag = try value.oneOf(messageTags)
                if automated && tag == "HUMAN_AGENT" {
                    throw value.error("invalid_value", "HUMAN_AGENT is only for replies written by a person; Meta forbids it for automated sends")
                }
                guard options.messagingType == .messageTag else {
                    throw value.error("conflicting_fields", "a tag needs \"messaging_type\": \"MESSAGE_TAG\"")
                }
                options.tag = tag
            } else if options.messagingType == .messageTag {
                throw JobValidationError(path: node.path.appending("tag"), code: "missing_field", "is required with \"messaging_type\": \"MESSAGE_TAG\"")
            }
            for telegramOnly in ["protect_content", "paid_broadcast"] where fields.optional(telegramOnly) != nil {
                throw JobValidationError(path: node.path.appending(telegramOnly), code: "wrong_platform", "is a Telegram option; this account is on Messenger")
            }
        case .telegram:
            if let value = fields.optional("protect_content") { options.protectContent = try value.bool() }
            if let value = fields.optional("paid_broadcast") { options.paidBroadcast = try value.bool() }
            if let rate = options.rate, rate > 30, !options.paidBroadcast {
                throw JobValidationError(path: node.path.appending("rate"), code: "out_of_range", "Telegram allows about 30 messages/s per bot; above that needs \"paid_broadcast\": true")
            }
            for messengerOnly in ["messaging_type", "tag"] where fields.optional(messengerOnly) != nil {
                throw JobValidationError(path: node.path.appending(messengerOnly), code: "wrong_platform", "is a Messenger option; this account is on Telegram")
            }
        }
        try fields.finish()
        return options
    }
}
