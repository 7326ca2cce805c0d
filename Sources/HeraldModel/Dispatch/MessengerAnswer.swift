/// Classifies Send API answers: `{"recipient_id","message_id","attachment_id"?}` or `{"error":{"code","error_subcode",…}}`.
public enum MessengerAnswer {
    public static func classify(status: Int, body: [UInt8]) -> SendOutcome {
        guard let value = try? JSONParser(maxDepth: 64).parse(body), case .object(let object) = value else {
            return .unreadable(status: status)
        }
        if (200...299).contains(status), case .string(let id) = object["message_id"] {
            let attachment: String? = { if case .string(let a) = object["attachment_id"] { return a } else { return nil } }()
            return .sent(messageID: id, reusableMediaID: attachment)
        }
        guard case .object(let error) = object["error"] else {
            return status >= 500 ? .retry(reason: "HTTP \(status)", after: nil) : .uncertain(reason: "HTTP \(status) without message_id or error")
        }
        let code = TelegramAnswer.integer(error["code"]) ?? 0
        let subcode = TelegramAnswer.integer(error["error_subcode"]) ?? 0
        let message: String = { if case .string(let text) = error["message"] { return text } else { return "error" } }()
        let reason = "(#\(code)\(subcode != 0 ? "/\(subcode)" : "")) \(message)"
        return classify(code: code, subcode: subcode, status: status, reason: reason)
    }

    /// The PLATFORMS.md §1.3 table.
    static func classify(code: Int, subcode: Int, status: Int, reason: String) -> SendOutcome {
        switch (code, subcode) {
        case (2, 2018344):
            // Checked before (2, _): the Page has not accepted the privacy terms, a configuration fault.
            return .accountBroken(reason: reason)
        case (1200, _), (2, 0), (1, 0):
            return .retry(reason: reason, after: nil)
        case (2, _):
            return .retry(reason: reason, after: nil)
        case (1, 99):
            return .accountBroken(reason: reason)
        case (1, 1357046):
            return .uncertain(reason: reason)
        case (4, 2018354):
            return .retry(reason: reason, after: 86_400)
        case (4, _), (17, _), (32, _), (613, _), (80006, _):
            return .rateLimited(scope: .account, retryAfter: nil, reason: reason)
        case (9, 2018352):
            return .retry(reason: reason, after: 3600)
        case (10, 2018278), (10, 2534022), (10, 2018065):
            return .outsideWindow(reason: reason)
        case (10, 2018108), (200, 1545041), (551, _), (230, _):
            return .recipientGone(status: .blocked, reason: reason)
        case (10, 1893063), (190, _), (368, _), (10904, _), (200, 2018028), (200, _):
            return .accountBroken(reason: reason)
        case (100, 2018001):
            return .recipientGone(status: .invalid, reason: reason)
        case (100, _):
            return .permanent(reason: reason)
        default:
            if (200...299).contains(code) { return .accountBroken(reason: reason) }
            return status >= 500 ? .retry(reason: reason, after: nil) : .permanent(reason: reason)
        }
    }
}
