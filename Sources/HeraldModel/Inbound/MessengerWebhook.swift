/// Reads a Messenger webhook POST (`{"object":"page","entry":[…]}`): every entry and every `messaging` event,
/// for every Page in the batch. Events under `standby` (another app owns the thread) are skipped.
///
/// Keys for deduplication: the `mid` of messages, echoes and postbacks (they share one id space); for events
/// without one, the kind, the person and the platform's time (a redelivery repeats both).
public enum MessengerWebhook {
    /// The events of one POST body, in order. Throws for a body that is not a Page webhook at all; an event
    /// without a sender or a time is skipped (there is nobody to attribute it to).
    public static func events(_ body: [UInt8], maxDepth: Int = 32) throws(InboundParseError) -> [InboundEvent] {
        let root: JSONValue
        do {
            root = try JSONParser(maxDepth: maxDepth).parse(body)
        } catch {
            throw InboundParseError("not JSON: \(error)")
        }
        guard root["object"]?.stringValue == "page" else {
            throw InboundParseError("not a Messenger Page webhook: \"object\" must be \"page\"")
        }
        guard let entries = root["entry"]?.arrayValue else {
            throw InboundParseError("\"entry\" must be an array")
        }
        var events: [InboundEvent] = []
        for entry in entries {
            guard let pageID = entry["id"]?.idText else { continue }
            for item in entry["messaging"]?.arrayValue ?? [] {
                if let event = event(item, pageID: pageID) { events.append(event) }
            }
        }
        return events
    }

    static func event(_ item: JSONValue, pageID: String) -> InboundEvent? {
        guard let sender = item["sender"]?["id"]?.idText, let at = item["timestamp"]?.int64Value else { return nil }
        let recipient = item["recipient"]?["id"]?.idText
        if let message = item["message"] {
            guard let mid = message["mid"]?.stringValue else { return nil }
            if message["is_echo"]?.boolValue == true {
                // An echo goes from the Page to the person: the person is the recipient.
                guard let person = recipient else { return nil }
                return InboundEvent(pageID: pageID, userID: person, at: at, key: "m:" + mid, kind: .echo(mid: mid, metadata: message["metadata"]?.stringValue))
            }
            let kind = InboundEvent.Kind.message(text: message["text"]?.stringValue, quickReplyPayload: message["quick_reply"]?["payload"]?.stringValue)
            return InboundEvent(pageID: pageID, userID: sender, at: at, key: "m:" + mid, kind: kind)
        }
        if let postback = item["postback"] {
            let payload = postback["payload"]?.stringValue ?? ""
            let key = postback["mid"]?.stringValue.map { "m:" + $0 } ?? "postback:\(sender):\(at):\(payload)"
            let kind = InboundEvent.Kind.postback(payload: payload, referral: postback["referral"]?["ref"]?.stringValue, callbackID: nil, messageID: nil)
            return InboundEvent(pageID: pageID, userID: sender, at: at, key: key, kind: kind)
        }
        if let delivery = item["delivery"] {
            guard let watermark = delivery["watermark"]?.int64Value else { return nil }
            return InboundEvent(pageID: pageID, userID: sender, at: at, key: "delivery:\(sender):\(watermark)", kind: .delivered(watermark: watermark))
        }
        if let read = item["read"] {
            guard let watermark = read["watermark"]?.int64Value else { return nil }
            return InboundEvent(pageID: pageID, userID: sender, at: at, key: "read:\(sender):\(watermark)", kind: .read(watermark: watermark))
        }
        if let referral = item["referral"] {
            return InboundEvent(pageID: pageID, userID: sender, at: at, key: "referral:\(sender):\(at)", kind: .referral(ref: referral["ref"]?.stringValue))
        }
        if let optin = item["optin"] {
            // A checkbox opt-in carries only a user_ref and no PSID: nobody to subscribe until they reply.
            return InboundEvent(pageID: pageID, userID: sender, at: at, key: "optin:\(sender):\(at)", kind: .optin(ref: optin["ref"]?.stringValue))
        }
        let known = ["reaction", "message_edit", "policy_enforcement", "pass_thread_control", "take_thread_control", "account_linking"]
        let name = known.first { item[$0] != nil } ?? "unknown"
        return InboundEvent(pageID: pageID, userID: sender, at: at, key: "\(name):\(sender):\(at)", kind: .ignored(name))
    }
}
