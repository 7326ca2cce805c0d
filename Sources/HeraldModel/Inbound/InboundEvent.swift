/// Something a person (or the platform about a person) did, as a webhook or `getUpdates` reported it,
/// in one shape for both platforms.
public struct InboundEvent: Sendable, Equatable {
    /// What happened.
    public enum Kind: Sendable, Equatable {
        /// A message from the person: its text, and the quick reply's payload when it was one.
        case message(text: String?, quickReplyPayload: String?)
        /// A button tap: a Messenger postback (with the m.me / ad referral that opened the thread, if any) or a
        /// Telegram `callback_query` (its id must be answered; `messageID` is the message whose button it was).
        case postback(payload: String, referral: String?, callbackID: String?, messageID: String?)
        /// Telegram `/start` or `/start PAYLOAD` (a deep link's payload).
        case start(payload: String?)
        /// Messenger `referral` in an existing thread (m.me link, QR code, ad).
        case referral(ref: String?)
        /// Messenger opt-in (Send to Messenger plugin, checkbox with a PSID).
        case optin(ref: String?)
        /// Messenger `delivery`: everything sent to this person before `watermark` (ms) reached the device.
        case delivered(watermark: Int64)
        /// Messenger `read`: everything sent at or before `watermark` (ms) was seen.
        case read(watermark: Int64)
        /// Messenger echo of a message the Page sent, with the `metadata` the sender attached.
        case echo(mid: String, metadata: String?)
        /// Telegram `my_chat_member`: the person blocked (`kicked`) or unblocked (`member`) the bot.
        case blocked
        case unblocked
        /// Recognised but of no use to Herald (reactions, edits, group messages); kept for deduplication only.
        case ignored(String)
    }

    /// Messenger: the Page the event is for (accounts are found by it). Telegram: nil (the route names the account).
    public var pageID: String?
    /// The PSID or Telegram chat id of the person.
    public var userID: String
    /// When the platform says it happened, Unix ms.
    public var at: Int64
    /// Unique per event for this account: the platform's id (`mid`, `update_id`) or a digest of the event.
    public var key: String
    /// Profile fields the platform sent with the event (Telegram `User`), for enrichment.
    public var profile: Recipient?
    public var kind: Kind

    public init(pageID: String? = nil, userID: String, at: Int64, key: String, profile: Recipient? = nil, kind: Kind) {
        self.pageID = pageID
        self.userID = userID
        self.at = at
        self.key = key
        self.profile = profile
        self.kind = kind
    }
}

extension InboundEvent.Kind {
    /// The kind as one word, for logs and metrics.
    public var name: String {
        switch self {
        case .message: "message"
        case .postback: "postback"
        case .start: "start"
        case .referral: "referral"
        case .optin: "optin"
        case .delivered: "delivered"
        case .read: "read"
        case .echo: "echo"
        case .blocked: "blocked"
        case .unblocked: "unblocked"
        case .ignored: "ignored"
        }
    }
}
