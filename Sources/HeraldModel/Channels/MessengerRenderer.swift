/// Renders the content model as Messenger Send API bodies (`POST /{version}/{page-id}/messages`).
///
/// Text with buttons is a button template; cards are a generic template; media are attachments sent with
/// `is_reusable` and resent by `attachment_id`. Adaptation, documented in the README: Messenger attachments
/// have no caption, so a caption follows as its own text message. Quick replies go on the last message.
/// Every message carries `metadata` = `herald:<delivery id>:<part>:<parts>`, echoed back by Meta for reconciliation.
public struct MessengerRenderer: Sendable {
    let personalizer: Personalizer
    let limits = PlatformLimits.messenger

    public init(personalizer: Personalizer) { self.personalizer = personalizer }

    public func render(_ content: MessageContent, psid: String, request: RenderRequest) throws(RenderError) -> [OutgoingMessage] {
        var parts: [(message: JSONObject, media: WebURL?, heavy: Bool)] = []
        var linkIndex = 0
        for module in content.modules {
            switch module {
            case .text(let text, let buttons):
                if buttons.isEmpty {
                    parts.append((["text": .string(try personalised(text, request, limit: limits.text, what: "text"))], nil, false))
                } else {
                    let payload: JSONObject = [
                        "template_type": .string("button"),
                        "text": .string(try personalised(text, request, limit: limits.textWithButtons, what: "text")),
                        "buttons": .array(self.buttons(buttons, request, &linkIndex)),
                    ]
                    parts.append((["attachment": .object(["type": .string("template"), "payload": .object(payload)])], nil, false))
                }
            case .media(let kind, let url, let caption):
                let payload: JSONObject = request.reusableMedia[url.string].map { ["attachment_id": .string($0)] }
                    ?? ["url": .string(url.string), "is_reusable": .bool(true)]
                let type = kind == .image ? "image" : kind.rawValue
                parts.append((["attachment": .object(["type": .string(type), "payload": .object(payload)])], url, kind == .audio || kind == .video))
                if let caption {
                    parts.append((["text": .string(try personalised(caption, request, limit: limits.text, what: "caption"))], nil, false))
                }
            case .cards(let cards):
                let elements = cards.map { card -> JSONValue in
                    var element: JSONObject = ["title": .string(personalizer.renderTitle(card.title, for: request.profile, limit: limits.cardTitle))]
                    if let subtitle = card.subtitle {
                        element.insert("subtitle", .string(personalizer.renderTitle(subtitle, for: request.profile, limit: limits.cardSubtitle)))
                    }
                    if let image = card.imageURL { element.insert("image_url", .string(image.string)) }
                    if let url = card.url {
                        defer { linkIndex += 1 }
                        element.insert("default_action", .object(["type": .string("web_url"), "url": .string(request.rewriteLink(url, linkIndex))]))
                    }
                    if !card.buttons.isEmpty { element.insert("buttons", .array(buttons(card.buttons, request, &linkIndex))) }
                    return .object(element)
                }
                let payload: JSONObject = ["template_type": .string("generic"), "elements": .array(elements)]
                parts.append((["attachment": .object(["type": .string("template"), "payload": .object(payload)])], nil, false))
            }
        }
        if !content.quickReplies.isEmpty, !parts.isEmpty {
            let replies = content.quickReplies.map { reply -> JSONValue in
                .object([
                    "content_type": .string("text"),
                    "title": .string(personalizer.renderTitle(reply.title, for: request.profile, limit: limits.quickReplyTitle)),
                    "payload": .string(reply.payload),
                ])
            }
            parts[parts.count - 1].message.insert("quick_replies", .array(replies))
        }
        return parts.enumerated().map { [count = parts.count] index, part in
            var message = part.message
            message.insert("metadata", .string("herald:\(request.deliveryID):\(index):\(count)"))
            var body: JSONObject = ["recipient": .object(["id": .string(psid)])]
            body.insert("messaging_type", .string(request.options.messagingType.rawValue))
            if let tag = request.options.tag { body.insert("tag", .string(tag)) }
            body.insert("notification_type", .string(MessengerRenderer.notificationType(request.options.notification)))
            body.insert("message", .object(message))
            return OutgoingMessage(endpoint: "messages", body: .object(body), mediaURL: part.media, isHeavyMedia: part.heavy)
        }
    }

    static func notificationType(_ notification: SendOptions.Notification) -> String {
        switch notification {
        case .regular: "REGULAR"
        case .silent: "SILENT_PUSH"
        case .noPush: "NO_PUSH"
        }
    }

    private func buttons(_ buttons: [Button], _ request: RenderRequest, _ linkIndex: inout Int) -> [JSONValue] {
        buttons.map { button -> JSONValue in
            let title = personalizer.renderTitle(button.title, for: request.profile, limit: limits.buttonTitle)
            switch button {
            case .url(_, let url):
                defer { linkIndex += 1 }
                return .object(["type": .string("web_url"), "url": .string(request.rewriteLink(url, linkIndex)), "title": .string(title)])
            case .postback(_, let payload):
                return .object(["type": .string("postback"), "title": .string(title), "payload": .string(payload)])
            }
        }
    }

    private func personalised(_ text: TemplateText, _ request: RenderRequest, limit: Int, what: String) throws(RenderError) -> String {
        let rendered = personalizer.render(text, for: request.profile)
        let length = rendered.utf16.count
        if length > limit { throw RenderError(reason: "the \(what) is \(length) characters after personalisation; Messenger allows \(limit)") }
        if rendered.allSatisfy(\.isWhitespace) { throw RenderError(reason: "the \(what) is empty after personalisation") }
        return rendered
    }
}
