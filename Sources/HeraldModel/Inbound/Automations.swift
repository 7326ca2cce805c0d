/// An account's automated messages and inbound rules, as its `automation` jobs left them.
public struct Automations: Sendable, Equatable {
    /// Sent to each new (or returning) subscriber.
    public var welcome: MessageContent?
    /// Sent instead of `welcome` to subscribers from these growth sources.
    public var welcomeBySource: [String: MessageContent] = [:]
    /// Sent once when someone unsubscribes (never after a block: it could not arrive).
    public var goodbye: MessageContent?
    public var defaultReply: AutomationJob.DefaultReply?
    public var keywordReplies: [AutomationJob.KeywordReply] = []
    public var unsubscribe = UnsubscribeKeywords()
    /// The Messenger Get Started postback payload.
    public var getStartedPayload = Automations.defaultGetStartedPayload

    public static let defaultGetStartedPayload = "GET_STARTED"
    /// The payload of an unsubscribe button or quick reply in Herald's own messages.
    public static let unsubscribePayload = "HERALD_UNSUBSCRIBE"

    public init() {}

    /// The first keyword reply whose keyword appears in `text` as whole words, ignoring case and accents.
    public func keywordReply(for text: String) -> AutomationJob.KeywordReply? {
        let words = " " + Automations.words(text) + " "
        return keywordReplies.first { reply in
            reply.keywords.contains { keyword in
                let needle = Automations.words(keyword)
                return !needle.isEmpty && words.contains(" " + needle + " ")
            }
        }
    }

    /// Normalized words separated by single spaces: punctuation counts as a separator.
    static func words(_ text: String) -> String {
        let folded = UnsubscribeKeywords.normalize(text)
        return String(folded.map { $0.isLetter || $0.isNumber ? $0 : " " }).split(separator: " ").joined(separator: " ")
    }
}
