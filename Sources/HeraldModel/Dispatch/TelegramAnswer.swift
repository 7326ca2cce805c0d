/// Classifies Bot API answers: `{"ok":true,"result":…}` or `{"ok":false,"error_code":…,"description":…,"parameters":{…}}`.
public enum TelegramAnswer {
    public static func classify(status: Int, body: [UInt8]) -> SendOutcome {
        if status == 200, let id = sentMessageID(body) { return .sent(messageID: id, reusableMediaID: nil) }
        guard let value = try? JSONParser(maxDepth: 64).parse(body), case .object(let object) = value else {
            return .unreadable(status: status)
        }
        if object["ok"] == .bool(true) {
            guard case .object(let result) = object["result"], case .number(let id) = result["message_id"] else {
                return .uncertain(reason: "ok without a message_id")
            }
            return .sent(messageID: id, reusableMediaID: fileID(in: result))
        }
        let code = integer(object["error_code"]) ?? status
        let description: String = { if case .string(let text) = object["description"] { return text } else { return "HTTP \(status)" } }()
        let parameters: JSONObject = { if case .object(let p) = object["parameters"] { return p } else { return [:] } }()
        if let chat = parameters["migrate_to_chat_id"], case .number(let newID) = chat { return .migrated(newChatID: newID) }
        let lower = description.lowercased()
        switch code {
        case 429:
            let after = parameters["retry_after"].flatMap(double)
            // A 429 for one chat ("too many messages to this chat") is rare; Telegram's flood control is per bot.
            return .rateLimited(scope: .account, retryAfter: after, reason: description)
        case 401:
            return .accountBroken(reason: description)
        case 404 where !lower.contains("chat"):
            // The Bot API answers 404 "Not Found" when the token in the path is wrong.
            return .accountBroken(reason: description)
        case 403:
            if lower.contains("blocked") { return .recipientGone(status: .blocked, reason: description) }
            if lower.contains("deactivated") { return .recipientGone(status: .deactivated, reason: description) }
            if lower.contains("can't initiate") || lower.contains("cant initiate") { return .recipientGone(status: .neverStarted, reason: description) }
            if lower.contains("kicked") || lower.contains("not a member") { return .recipientGone(status: .blocked, reason: description) }
            return .recipientGone(status: .invalid, reason: description)
        case 400:
            if lower.contains("chat not found") || lower.contains("user not found") || lower.contains("peer_id_invalid") {
                return .recipientGone(status: .invalid, reason: description)
            }
            return .permanent(reason: description)
        case 500...599:
            return .retry(reason: description, after: nil)
        default:
            return code >= 500 ? .retry(reason: description, after: nil) : .permanent(reason: description)
        }
    }

    /// The message id of a plain success, read without building the reply's tree: the Bot API writes
    /// `{"ok":true,"result":{"message_id":N,` first. Anything else (a file_id to learn, another shape) is nil and
    /// takes the full parse.
    static func sentMessageID(_ body: [UInt8]) -> String? {
        let prefix = #"{"ok":true,"result":{"message_id":"#.utf8
        guard body.count > prefix.count + 1, body.starts(with: prefix) else { return nil }
        var end = prefix.count
        while end < body.count, body[end] >= 0x30, body[end] <= 0x39 { end += 1 }
        guard end > prefix.count, end < body.count, body[end] == UInt8(ascii: ","), body.last == UInt8(ascii: "}") else { return nil }
        // A reply carrying a file must go through the full parse, which learns its file_id.
        let marker = Array(#""file_id""#.utf8)
        if body.count >= marker.count {
            for start in end...(body.count - marker.count) where body[start] == marker[0] && body[start..<(start + marker.count)].elementsEqual(marker) { return nil }
        }
        return String(decoding: body[prefix.count..<end], as: UTF8.self)
    }

    /// The file_id of what was sent: the largest photo size, or the video, audio or document.
    static func fileID(in result: JSONObject) -> String? {
        if case .array(let sizes) = result["photo"], case .object(let largest)? = sizes.last, case .string(let id) = largest["file_id"] { return id }
        for field in ["video", "audio", "document", "animation"] {
            if case .object(let file) = result[field], case .string(let id) = file["file_id"] { return id }
        }
        return nil
    }

    static func integer(_ value: JSONValue?) -> Int? {
        if case .number(let literal) = value { return Int(literal) }
        return nil
    }

    static func double(_ value: JSONValue) -> Double? {
        if case .number(let literal) = value { return Double(literal) }
        return nil
    }
}
