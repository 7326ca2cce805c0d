/// Renders the content model as Telegram Bot API calls (sendMessage, sendPhoto, sendVideo, sendAudio, sendDocument).
///
/// Text goes in HTML parse mode with the whole personalised text escaped. Adaptations, documented in the README:
/// a card is a photo (or, without image, a message) whose caption is the bold title and the subtitle, with its
/// buttons as an inline keyboard and its `url` as a first button labelled with the title; quick replies become
/// inline callback buttons under the last module.
public struct TelegramRenderer: Sendable {
    let personalizer: Personalizer
    let limits = PlatformLimits.telegram

    public init(personalizer: Personalizer) { self.personalizer = personalizer }

    public func render(_ content: MessageContent, chatID: String, request: RenderRequest) throws(RenderError) -> [OutgoingMessage] {
        var messages: [OutgoingMessage] = []
        var linkIndex = 0
        for module in content.modules {
            switch module {
            case .text(let text, let buttons):
                var body = base(chatID, request)
                body.insert("text", .string(try personalised(text, request, limit: limits.text, what: "text")))
                body.insert("parse_mode", .string("HTML"))
                if !request.options.linkPreviews { body.insert("link_preview_options", .object(["is_disabled": .bool(true)])) }
                messages.append(OutgoingMessage(endpoint: "sendMessage", body: .object(body)))
                if !buttons.isEmpty { attach(keyboard(buttons, request, &linkIndex), to: &messages[messages.count - 1]) }
            case .media(let kind, let url, let caption):
                let (method, field) = TelegramRenderer.method(for: kind)
                var body = base(chatID, request)
                body.insert(field, .string(request.reusableMedia[url.string] ?? url.string))
                if let caption {
                    body.insert("caption", .string(try personalised(caption, request, limit: limits.caption, what: "caption")))
                    body.insert("parse_mode", .string("HTML"))
                }
                messages.append(OutgoingMessage(endpoint: method, body: .object(body), mediaURL: url, isHeavyMedia: kind == .audio || kind == .video))
            case .cards(let cards):
                for card in cards {
                    var rows: [Button] = []
                    if let url = card.url { rows.append(.url(title: card.title, url: url)) }
                    rows += card.buttons
                    var text = "<b>" + escape(personalizer.renderTitle(card.title, for: request.profile, limit: limits.cardTitle)) + "</b>"
                    if let subtitle = card.subtitle { text += "\n" + escape(personalizer.renderTitle(subtitle, for: request.profile, limit: limits.cardSubtitle)) }
                    var body = base(chatID, request)
                    if let image = card.imageURL {
                        body.insert("photo", .string(request.reusableMedia[image.string] ?? image.string))
                        body.insert("caption", .string(text))
                        body.insert("parse_mode", .string("HTML"))
                        messages.append(OutgoingMessage(endpoint: "sendPhoto", body: .object(body), mediaURL: image))
                    } else {
                        body.insert("text", .string(text))
                        body.insert("parse_mode", .string("HTML"))
                        if !request.options.linkPreviews { body.insert("link_preview_options", .object(["is_disabled": .bool(true)])) }
                        messages.append(OutgoingMessage(endpoint: "sendMessage", body: .object(body)))
                    }
                    if !rows.isEmpty { attach(keyboard(rows, request, &linkIndex), to: &messages[messages.count - 1]) }
                }
            }
        }
        if !content.quickReplies.isEmpty, !messages.isEmpty {
            let rows = content.quickReplies.map { reply -> JSONValue in
                .array([.object(["text": .string(personalizer.renderTitle(reply.title, for: request.profile, limit: limits.quickReplyTitle)), "callback_data": .string(reply.payload)])])
            }
            attach(rows, to: &messages[messages.count - 1])
        }
        return messages
    }

    /// The method and the field carrying the file for each media kind.
    static func method(for kind: ContentModule.MediaKind) -> (String, String) {
        switch kind {
        case .image: ("sendPhoto", "photo")
        case .video: ("sendVideo", "video")
        case .audio: ("sendAudio", "audio")
        case .file: ("sendDocument", "document")
        }
    }

    private func base(_ chatID: String, _ request: RenderRequest) -> JSONObject {
        var body = JSONObject()
        // Numeric chat ids go as numbers (they fit in 52 bits); @channel names as strings.
        body.insert("chat_id", Int64(chatID) != nil ? .number(chatID) : .string(chatID))
        if request.options.notification != .regular { body.insert("disable_notification", .bool(true)) }
        if request.options.protectContent { body.insert("protect_content", .bool(true)) }
        if request.options.paidBroadcast { body.insert("allow_paid_broadcast", .bool(true)) }
        return body
    }

    /// One button per row: easier to tap on a phone than a packed row.
    private func keyboard(_ buttons: [Button], _ request: RenderRequest, _ linkIndex: inout Int) -> [JSONValue] {
        buttons.map { button -> JSONValue in
            let title = personalizer.renderTitle(button.title, for: request.profile, limit: limits.buttonTitle)
            switch button {
            case .url(_, let url):
                defer { linkIndex += 1 }
                return .array([.object(["text": .string(title), "url": .string(request.rewriteLink(url, linkIndex))])])
            case .postback(_, let payload):
                return .array([.object(["text": .string(title), "callback_data": .string(payload)])])
            }
        }
    }

    private func attach(_ rows: [JSONValue], to message: inout OutgoingMessage) {
        guard case .object(var body) = message.body else { return }
        var existing: [JSONValue] = []
        if case .object(let markup) = body["reply_markup"], case .array(let keyboard) = markup["inline_keyboard"] { existing = keyboard }
        body.set("reply_markup", .object(["inline_keyboard": .array(existing + rows)]))
        message.body = .object(body)
    }

    private func personalised(_ text: TemplateText, _ request: RenderRequest, limit: Int, what: String) throws(RenderError) -> String {
        let rendered = personalizer.render(text, for: request.profile)
        // Telegram counts characters after entity parsing, so the limit applies to the unescaped text.
        let length = rendered.utf16.count
        if length > limit { throw RenderError(reason: "the \(what) is \(length) characters after personalisation; Telegram allows \(limit)") }
        if rendered.allSatisfy(\.isWhitespace) { throw RenderError(reason: "the \(what) is empty after personalisation") }
        return escape(rendered)
    }

    /// Escapes text for Telegram's HTML parse mode.
    func escape(_ text: String) -> String {
        // Byte by byte: these three are ASCII, and no byte of a longer UTF-8 sequence is.
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): out += "&amp;".utf8
            case UInt8(ascii: "<"): out += "&lt;".utf8
            case UInt8(ascii: ">"): out += "&gt;".utf8
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
