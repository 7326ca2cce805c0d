/// One API call a delivery makes: an endpoint (a Telegram method, or Messenger's `messages`) and its JSON body.
public struct OutgoingMessage: Sendable, Equatable {
    /// `sendMessage`, `sendPhoto`, … on Telegram; `messages` on Messenger.
    public var endpoint: String
    public var body: JSONValue
    /// The media URL whose reusable id (Telegram file_id, Messenger attachment_id) the answer may carry.
    public var mediaURL: WebURL?
    /// Audio and video: Messenger allows 10 of these per second per Page instead of 300.
    public var isHeavyMedia: Bool

    public init(endpoint: String, body: JSONValue, mediaURL: WebURL? = nil, isHeavyMedia: Bool = false) {
        self.endpoint = endpoint
        self.body = body
        self.mediaURL = mediaURL
        self.isHeavyMedia = isHeavyMedia
    }
}

/// Why a message cannot be built for one recipient (the delivery fails with this reason, never silently).
public struct RenderError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }

    public init(reason: String) { self.reason = reason }
}

/// Rewrites a URL button's target, for click tracking: given the URL and its position among the message's links.
public typealias LinkRewriter = @Sendable (_ url: WebURL, _ linkIndex: Int) -> String

/// What a renderer needs besides the content: who, how, and the media already uploaded.
public struct RenderRequest: Sendable {
    public var profile: Profile
    public var options: SendOptions
    /// Media URL → reusable id returned by an earlier send of this campaign.
    public var reusableMedia: [String: String]
    /// Carried in Messenger's `metadata` (echoed back in webhooks) so sends can be reconciled.
    public var deliveryID: Int64
    public var rewriteLink: LinkRewriter

    public init(profile: Profile, options: SendOptions, reusableMedia: [String: String] = [:], deliveryID: Int64, rewriteLink: @escaping LinkRewriter = { url, _ in url.string }) {
        self.profile = profile
        self.options = options
        self.reusableMedia = reusableMedia
        self.deliveryID = deliveryID
        self.rewriteLink = rewriteLink
    }
}
