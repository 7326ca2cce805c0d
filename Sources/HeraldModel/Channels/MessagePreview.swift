/// What a message becomes for one recipient before anything is sent: each API call as the platform would receive
/// it, rendered by the dispatcher's own renderers, and a reading of that call as the recipient would see it.
public struct MessagePreview: Sendable, Equatable {
    /// One API call.
    public struct Call: Sendable, Equatable {
        /// The method (`sendPhoto`) or edge (`messages`).
        public var endpoint: String
        public var body: JSONValue
        /// The call as the recipient would see it, line by line: text, media, buttons.
        public var reading: [String]
    }

    public var calls: [Call]

    /// Renders `content` for `profile` on `platform` with `options`, exactly as a delivery would be sent (links not
    /// tracked: a preview has no delivery to count clicks for).
    public static func render(_ content: MessageContent, platform: Platform, options: SendOptions, profile: Profile) throws(RenderError) -> MessagePreview {
        let request = RenderRequest(profile: profile, options: options, deliveryID: 0)
        let messages = switch platform {
        case .telegram: try TelegramRenderer(personalizer: Personalizer()).render(content, chatID: profile.platformID, request: request)
        case .messenger: try MessengerRenderer(personalizer: Personalizer()).render(content, psid: profile.platformID, request: request)
        }
        return MessagePreview(calls: messages.map { message in
            Call(endpoint: message.endpoint, body: message.body, reading: platform == .telegram ? telegramReading(message) : messengerReading(message.body))
        })
    }

    /// The personalisation `content` uses (`first_name`, `fields.city`, …) in the order first met, `platform_id` left
    /// out (every recipient has one).
    public static func variables(in content: MessageContent) -> [String] {
        var texts: [TemplateText] = []
        for module in content.modules {
            switch module {
            case .text(let text, let buttons):
                texts.append(text)
                texts += buttons.map(\.title)
            case .media(_, _, let caption):
                if let caption { texts.append(caption) }
            case .cards(let cards):
                for card in cards {
                    texts.append(card.title)
                    if let subtitle = card.subtitle { texts.append(subtitle) }
                    texts += card.buttons.map(\.title)
                }
            }
        }
        texts += content.quickReplies.map(\.title)
        var seen: [String] = []
        for text in texts where text.source.contains("{{") {
            for name in TemplateText.tagNames(in: text.source) where name != "." && name != "platform_id" && name != "fields" && !seen.contains(name) {
                seen.append(name)
            }
        }
        return seen
    }

    /// Whether `profile` has nothing for `variable` (so the text shows its fallback, or nothing).
    public static func isMissing(_ variable: String, in profile: Profile) -> Bool {
        func empty(_ value: String?) -> Bool { value?.allSatisfy(\.isWhitespace) ?? true }
        switch variable {
        case "first_name": return empty(profile.firstName)
        case "last_name": return empty(profile.lastName)
        case "full_name": return empty(profile.firstName) && empty(profile.lastName)
        case "username": return empty(profile.username)
        case "locale": return empty(profile.locale)
        default:
            guard variable.hasPrefix("fields.") else { return false }
            return empty(profile.fields[String(variable.dropFirst("fields.".count))])
        }
    }

    static func telegramReading(_ message: OutgoingMessage) -> [String] {
        guard case .object(let body) = message.body else { return [] }
        var lines: [String] = []
        for (field, label) in [("photo", "image"), ("video", "video"), ("audio", "audio"), ("document", "file")] {
            if case .string(let url) = body[field] { lines.append("[\(label)] \(url)") }
        }
        for field in ["text", "caption"] {
            if case .string(let text) = body[field] { lines += unescapeHTML(text).split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
        }
        if case .object(let markup) = body["reply_markup"], case .array(let rows) = markup["inline_keyboard"] {
            for case .array(let row) in rows {
                for case .object(let button) in row {
                    guard case .string(let title) = button["text"] else { continue }
                    if case .string(let url) = button["url"] { lines.append("[ \(title) ] → \(url)") }
                    if case .string(let data) = button["callback_data"] { lines.append("[ \(title) ] (payload \(data))") }
                }
            }
        }
        if body["disable_notification"] == .bool(true) { lines.append("(silent: no sound)") }
        if body["protect_content"] == .bool(true) { lines.append("(protected: no forwarding or saving)") }
        return lines
    }

    static func messengerReading(_ value: JSONValue) -> [String] {
        guard case .object(let body) = value, case .object(let message) = body["message"] else { return [] }
        var lines: [String] = []
        if case .string(let text) = message["text"] { lines += text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
        if case .object(let attachment) = message["attachment"], case .string(let type) = attachment["type"], case .object(let payload) = attachment["payload"] {
            if type != "template" {
                if case .string(let url) = payload["url"] { lines.append("[\(type)] \(url)") }
                if case .string(let id) = payload["attachment_id"] { lines.append("[\(type)] attachment \(id)") }
            } else if case .string(let text) = payload["text"] {
                lines += text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                lines += buttons(payload["buttons"])
            } else if case .array(let elements) = payload["elements"] {
                for (index, element) in elements.enumerated() {
                    guard case .object(let card) = element else { continue }
                    var heading = "card \(index + 1)"
                    if case .string(let title) = card["title"] { heading += ": \(title)" }
                    lines.append(heading)
                    if case .string(let subtitle) = card["subtitle"] { lines.append("  \(subtitle)") }
                    if case .string(let image) = card["image_url"] { lines.append("  [image] \(image)") }
                    if case .object(let action) = card["default_action"], case .string(let url) = action["url"] { lines.append("  (tap) → \(url)") }
                    lines += buttons(card["buttons"]).map { "  " + $0 }
                }
            }
        }
        if case .array(let replies) = message["quick_replies"] {
            for case .object(let reply) in replies {
                if case .string(let title) = reply["title"], case .string(let payload) = reply["payload"] { lines.append("( \(title) ) (quick reply, payload \(payload))") }
            }
        }
        if body["notification_type"] == .string("SILENT_PUSH") { lines.append("(silent: no sound)") }
        if body["notification_type"] == .string("NO_PUSH") { lines.append("(no notification)") }
        return lines
    }

    private static func buttons(_ value: JSONValue?) -> [String] {
        guard case .array(let buttons) = value else { return [] }
        return buttons.compactMap { button in
            guard case .object(let button) = button, case .string(let title) = button["title"] else { return nil }
            if case .string(let url) = button["url"] { return "[ \(title) ] → \(url)" }
            if case .string(let payload) = button["payload"] { return "[ \(title) ] (payload \(payload))" }
            return "[ \(title) ]"
        }
    }

    /// Telegram HTML as read: tags dropped, the entities Herald writes turned back into characters.
    static func unescapeHTML(_ text: String) -> String {
        var out = ""
        var inTag = false
        for character in text {
            if character == "<" { inTag = true; continue }
            if character == ">" && inTag { inTag = false; continue }
            if !inTag { out.append(character) }
        }
        return out.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
    }
}
