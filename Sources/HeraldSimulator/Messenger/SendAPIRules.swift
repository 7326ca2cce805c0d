/// The Send API's checks of a message, from Meta's reference: envelope, text, attachments, templates,
/// buttons and quick replies, lengths in UTF-16 units.
enum SendAPIRules {
    static let envelope: Set<String> = ["recipient", "messaging_type", "tag", "notification_type", "message", "persona_id", "reply_to"]
    static let tags: Set<String> = ["ACCOUNT_UPDATE", "CONFIRMED_EVENT_UPDATE", "CUSTOMER_FEEDBACK", "HUMAN_AGENT", "POST_PURCHASE_UPDATE"]

    /// The problem with a send, or nil.
    static func check(_ body: [String: WireJSON]) -> GraphError? {
        guard let recipient = body["recipient"]?.object, let id = recipient["id"]?.string, !id.isEmpty, id.allSatisfy(\.isNumber) else {
            return .parameter("The parameter recipient is required")
        }
        guard let type = body["messaging_type"]?.string, ["RESPONSE", "UPDATE", "MESSAGE_TAG", "UTILITY"].contains(type) else {
            return .parameter("Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG, UTILITY}")
        }
        if (type == "MESSAGE_TAG") != (body["tag"] != nil) { return .parameter("Tag is required for MESSAGE_TAG and only allowed with it") }
        if let tag = body["tag"], !tags.contains(tag.string ?? "") { return .parameter("Param tag must be one of \(tags.sorted())") }
        if let kind = body["notification_type"], !["REGULAR", "SILENT_PUSH", "NO_PUSH"].contains(kind.string ?? "") {
            return .parameter("Invalid notification_type")
        }
        let unknown = Set(body.keys).subtracting(envelope)
        if !unknown.isEmpty { return .parameter("Unexpected parameters \(unknown.sorted())") }
        guard let message = body["message"]?.object, (message["text"] != nil) != (message["attachment"] != nil) else {
            return .parameter("Must send either message text or an attachment")
        }
        if !Set(message.keys).isSubset(of: ["text", "attachment", "quick_replies", "metadata"]) { return .parameter("Unexpected message fields") }
        if let metadata = message["metadata"] {
            guard let text = metadata.string, text.utf16.count < 1000 else { return .parameter("metadata must be less than 1000 characters") }
        }
        if let text = message["text"] {
            guard let text = text.string, !text.isEmpty else { return .parameter("message[text] must be a non-empty string") }
            if text.utf16.count > 2000 { return .parameter("Length of param message[text] must be less than or equal to 2000") }
        }
        if let replies = message["quick_replies"] {
            guard let list = replies.array, (1...13).contains(list.count) else { return .parameter("quick_replies must hold 1 to 13 items") }
            for reply in list {
                switch reply["content_type"]?.string {
                case "text"?:
                    guard let title = reply["title"]?.string, (1...20).contains(title.utf16.count),
                          let payload = reply["payload"]?.string, (1...1000).contains(payload.utf16.count)
                    else { return .parameter("Invalid quick reply: title 1-20 characters and payload 1-1000 needed") }
                case "user_phone_number"?, "user_email"?: break
                default: return .parameter("Invalid quick reply content_type")
                }
            }
        }
        if let attachment = message["attachment"] { return attachmentProblem(attachment) }
        return nil
    }

    static func attachmentProblem(_ attachment: WireJSON) -> GraphError? {
        let payload = attachment["payload"]?.object ?? [:]
        switch attachment["type"]?.string {
        case "image"?, "video"?, "audio"?, "file"?:
            if (payload["url"] != nil) == (payload["attachment_id"] != nil) { return .parameter("Attachment payload needs url or attachment_id") }
            if let url = payload["url"], !(url.string ?? "").hasPrefix("https://") { return .parameter("Invalid URL") }
            if let reusable = payload["is_reusable"], reusable.bool == nil { return .parameter("is_reusable must be a boolean") }
            return nil
        case "template"?:
            return templateProblem(payload).map { .parameter($0) }
        default:
            return .parameter("Invalid attachment type")
        }
    }

    static func templateProblem(_ payload: [String: WireJSON]) -> String? {
        switch payload["template_type"]?.string {
        case "button"?:
            guard let text = payload["text"]?.string, (1...640).contains(text.utf16.count) else { return "button template text must be 1-640 characters" }
            return buttonsProblem(payload["buttons"])
        case "generic"?:
            guard let elements = payload["elements"]?.array, (1...10).contains(elements.count) else { return "generic template needs 1-10 elements" }
            for element in elements {
                guard let title = element["title"]?.string, (1...80).contains(title.utf16.count) else { return "element title must be 1-80 characters" }
                if let subtitle = element["subtitle"], (subtitle.string?.utf16.count ?? 81) > 80 { return "element subtitle longer than 80 characters" }
                if ["subtitle", "image_url", "default_action", "buttons"].allSatisfy({ element[$0] == nil }) { return "element needs a title and one more property" }
                if let action = element["default_action"], action["type"]?.string != "web_url" || action["title"] != nil || action["url"]?.string == nil {
                    return "invalid default_action"
                }
                if let image = element["image_url"], !(image.string ?? "").hasPrefix("https://") { return "image_url must be an https URL" }
                if let buttons = element["buttons"], let problem = buttonsProblem(buttons) { return problem }
            }
            return nil
        default:
            return "unknown template_type"
        }
    }

    static func buttonsProblem(_ buttons: WireJSON?) -> String? {
        guard let list = buttons?.array, (1...3).contains(list.count) else { return "buttons must hold 1 to 3 buttons" }
        for button in list {
            guard let title = button["title"]?.string, (1...20).contains(title.utf16.count) else { return "button title must be 1-20 characters" }
            switch button["type"]?.string {
            case "web_url"?:
                guard let url = button["url"]?.string, url.hasPrefix("https://") || url.hasPrefix("http://") else { return "web_url button needs a url" }
            case "postback"?:
                guard let payload = button["payload"]?.string, (1...1000).contains(payload.utf16.count) else { return "postback button needs a payload of 1-1000 characters" }
            case "phone_number"?:
                guard button["payload"]?.string?.hasPrefix("+") == true else { return "phone_number button needs a +number payload" }
            default: return "unknown button type"
            }
        }
        return nil
    }
}
