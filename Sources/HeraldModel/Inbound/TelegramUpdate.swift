/// Reads Telegram `Update` objects (webhook bodies and `getUpdates` results) into inbound events.
///
/// Only private chats make subscribers: a message in a group names the group, not a person. The key is the
/// `update_id`, unique per bot.
public enum TelegramUpdate {
    /// One webhook body: a single Update object.
    public static func event(_ body: [UInt8], maxDepth: Int = 32) throws(InboundParseError) -> InboundEvent {
        let root: JSONValue
        do {
            root = try JSONParser(maxDepth: maxDepth).parse(body)
        } catch {
            throw InboundParseError("not JSON: \(error)")
        }
        return try event(root)
    }

    /// The `update_id` of an Update, which `getUpdates` offsets are computed from.
    public static func updateID(_ update: JSONValue) -> Int64? { update["update_id"]?.int64Value }

    public static func event(_ update: JSONValue) throws(InboundParseError) -> InboundEvent {
        guard let id = updateID(update) else { throw InboundParseError("not a Telegram Update: no integer \"update_id\"") }
        let key = "u:\(id)"
        if let message = update["message"] {
            return messageEvent(message, key: key)
        }
        if let query = update["callback_query"] {
            guard let from = query["from"], let user = from["id"]?.idText, let queryID = query["id"]?.stringValue else {
                return ignored("callback_query", key: key)
            }
            // A private chat's id is its user's id; the message's chat says so when present.
            let chat = query["message"]?["chat"]?["id"]?.idText ?? user
            let messageID = query["message"]?["message_id"]?.idText
            let kind = InboundEvent.Kind.postback(payload: query["data"]?.stringValue ?? "", referral: nil, callbackID: queryID, messageID: messageID)
            return InboundEvent(userID: chat, at: date(query["message"]?["date"]), key: key, profile: profile(from, chat: chat), kind: kind)
        }
        if let member = update["my_chat_member"] {
            guard member["chat"]?["type"]?.stringValue == "private", let chat = member["chat"]?["id"]?.idText else {
                return ignored("my_chat_member", key: key)
            }
            let status = member["new_chat_member"]?["status"]?.stringValue
            let kind: InboundEvent.Kind = switch status {
            case "kicked": .blocked
            case "member": .unblocked
            default: .ignored("my_chat_member \(status ?? "?")")
            }
            return InboundEvent(userID: chat, at: date(member["date"]), key: key, kind: kind)
        }
        for name in ["edited_message", "channel_post", "edited_channel_post", "chat_member", "chat_join_request", "message_reaction", "inline_query", "poll", "poll_answer"] where update[name] != nil {
            return ignored(name, key: key)
        }
        return ignored("unknown", key: key)
    }

    static func messageEvent(_ message: JSONValue, key: String) -> InboundEvent {
        guard let chat = message["chat"], chat["type"]?.stringValue == "private", let chatID = chat["id"]?.idText else {
            return ignored("group message", key: key)
        }
        let at = date(message["date"])
        let person = message["from"].map { profile($0, chat: chatID) } ?? nil
        let text = message["text"]?.stringValue
        if let text, let payload = startPayload(text) {
            return InboundEvent(userID: chatID, at: at, key: key, profile: person, kind: .start(payload: payload.isEmpty ? nil : payload))
        }
        return InboundEvent(userID: chatID, at: at, key: key, profile: person, kind: .message(text: text ?? message["caption"]?.stringValue, quickReplyPayload: nil))
    }

    /// The payload of `/start`, `/start PAYLOAD` or `/start@bot PAYLOAD` ("" for none); nil for other text.
    static func startPayload(_ text: String) -> String? {
        guard text.hasPrefix("/start") else { return nil }
        var rest = text.dropFirst(6)
        if rest.first == "@" { rest = rest.drop { !$0.isWhitespace } }
        guard rest.isEmpty || rest.first!.isWhitespace else { return nil }
        return String(rest.drop { $0.isWhitespace })
    }

    static func profile(_ user: JSONValue, chat: String) -> Recipient? {
        guard user["is_bot"]?.boolValue != true else { return nil }
        return Recipient(
            platformID: chat, firstName: user["first_name"]?.stringValue, lastName: user["last_name"]?.stringValue,
            username: user["username"]?.stringValue, locale: user["language_code"]?.stringValue
        )
    }

    /// Telegram dates are Unix seconds; 0 (an inaccessible old message) or missing reads as 0.
    static func date(_ value: JSONValue?) -> Int64 { (value?.int64Value ?? 0) * 1000 }

    static func ignored(_ what: String, key: String) -> InboundEvent {
        InboundEvent(userID: "", at: 0, key: key, kind: .ignored(what))
    }
}
