import Foundation

/// The Bot API's checks of a send, from its reference: fields, lengths after entity parsing, keyboards.
enum TelegramRules {
    /// The media field of each send method Herald may call.
    static let sendMethods = ["sendMessage": "text", "sendPhoto": "photo", "sendVideo": "video", "sendAudio": "audio", "sendDocument": "document"]
    static let commonFields: Set<String> = [
        "chat_id", "business_connection_id", "message_thread_id", "parse_mode", "reply_markup", "disable_notification", "protect_content",
        "allow_paid_broadcast", "message_effect_id", "reply_parameters",
    ]
    static let fieldsByMethod: [String: Set<String>] = [
        "sendMessage": ["text", "entities", "link_preview_options"],
        "sendPhoto": ["photo", "caption", "caption_entities", "show_caption_above_media", "has_spoiler"],
        "sendVideo": ["video", "caption", "caption_entities", "duration", "width", "height", "thumbnail", "supports_streaming", "has_spoiler", "show_caption_above_media"],
        "sendAudio": ["audio", "caption", "caption_entities", "duration", "performer", "title", "thumbnail"],
        "sendDocument": ["document", "caption", "caption_entities", "thumbnail", "disable_content_type_detection"],
    ]

    /// The request's problem, as Telegram words it, or nil.
    static func check(method: String, _ body: [String: WireJSON]) -> TelegramError? {
        guard let field = sendMethods[method] else { return TelegramError(code: 404, description: "Not Found") }
        let unknown = Set(body.keys).subtracting(commonFields).subtracting(fieldsByMethod[method] ?? [])
        if !unknown.isEmpty { return .badRequest("unexpected fields \(unknown.sorted())") }
        switch body["chat_id"] {
        case .int?: break
        case .string(let name)? where name.hasPrefix("@") || Int64(name) != nil: break
        default: return .badRequest("chat_id is empty")
        }
        guard let value = body[field]?.string, !value.isEmpty else {
            return .badRequest(field == "text" ? "message text is empty" : "there is no \(field) in the request")
        }
        let parseMode = body["parse_mode"]?.string
        if let mode = body["parse_mode"], !["HTML", "MarkdownV2", "Markdown"].contains(mode.string ?? "") {
            return .badRequest("unsupported parse_mode")
        }
        if field == "text" {
            switch visible(value, parseMode: parseMode) {
            case .failure(let error): return error
            case .success(let text):
                if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return .badRequest("message text is empty") }
                if text.utf16.count > 4096 { return .badRequest("message is too long") }
            }
        } else if !value.hasPrefix("https://"), !value.hasPrefix("http://"), value.contains("/") || value.contains(":") {
            return .badRequest("wrong remote file identifier specified: Wrong character in the string")
        }
        if let caption = body["caption"] {
            guard let text = caption.string else { return .badRequest("caption must be a string") }
            switch visible(text, parseMode: parseMode) {
            case .failure(let error): return error
            case .success(let text): if text.utf16.count > 1024 { return .badRequest("message caption is too long") }
            }
        }
        if let markup = body["reply_markup"], let problem = keyboardProblem(markup) { return .badRequest(problem) }
        if let options = body["link_preview_options"] {
            guard let object = options.object else { return .badRequest("link_preview_options must be an object") }
            let known: Set<String> = ["is_disabled", "url", "prefer_small_media", "prefer_large_media", "show_above_text"]
            if !Set(object.keys).isSubset(of: known) { return .badRequest("unexpected link_preview_options fields") }
        }
        for flag in ["disable_notification", "protect_content", "allow_paid_broadcast"] where body[flag] != nil && body[flag]?.bool == nil {
            return .badRequest("\(flag) must be a boolean")
        }
        return nil
    }

    /// The text a person sees, counted as Telegram counts it (UTF-16 units after entity parsing).
    static func visible(_ text: String, parseMode: String?) -> Result<String, TelegramError> {
        parseMode == "HTML" ? TelegramHTML.parse(text) : .success(text)
    }

    static func keyboardProblem(_ markup: WireJSON) -> String? {
        guard let rows = markup["inline_keyboard"]?.array else { return "reply_markup.inline_keyboard must be an array" }
        for row in rows {
            guard let buttons = row.array, !buttons.isEmpty else { return "each keyboard row must be a non-empty array" }
            for button in buttons {
                let kinds = ["url", "callback_data", "web_app", "login_url", "switch_inline_query", "copy_text", "pay"].filter { button[$0] != nil }
                guard let text = button["text"]?.string, kinds.count == 1 else { return "a button needs text and exactly one action" }
                if text.trimmingCharacters(in: .whitespaces).isEmpty { return "BUTTON_TEXT_EMPTY" }
                if let data = button["callback_data"] {
                    guard let data = data.string, (1...64).contains(data.utf8.count) else { return "BUTTON_DATA_INVALID" }
                }
                if let url = button["url"] {
                    guard let url = url.string, url.hasPrefix("https://") || url.hasPrefix("http://") || url.hasPrefix("tg://") else { return "wrong HTTP URL" }
                }
            }
        }
        return nil
    }
}
