/// What a simulated platform does with a request.
public enum PlatformAnswer: Sendable {
    /// A JSON answer with its HTTP status.
    case json(Int, WireJSON)
    /// A proxy's HTML error page (the platform's front end is up, what is behind it is not).
    case page(Int, String)
    /// The request was read and acted on, then the connection died mid-answer.
    case drop
    /// The request was read and acted on, then the connection closed before any of the answer was sent.
    case hangUp
}

/// A Bot API refusal: `{"ok": false, "error_code", "description", "parameters"}`.
struct TelegramError: Error {
    var code: Int
    var description: String
    var retryAfter: Int?

    static func badRequest(_ text: String) -> TelegramError { TelegramError(code: 400, description: "Bad Request: \(text)") }
    static func entities(_ text: String) -> TelegramError { .badRequest("can't parse entities: \(text)") }
    static func forbidden(_ text: String) -> TelegramError { TelegramError(code: 403, description: "Forbidden: \(text)") }

    var answer: PlatformAnswer {
        var body: [String: WireJSON] = ["ok": false, "error_code": .int(Int64(code)), "description": .string(description)]
        if let retryAfter { body["parameters"] = ["retry_after": .int(Int64(retryAfter))] }
        return .json(code, .object(body))
    }
}

/// A Graph API refusal: `{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`.
struct GraphError: Error {
    var status = 400
    var code: Int
    var subcode: Int?
    var message: String

    static func parameter(_ text: String) -> GraphError { GraphError(code: 100, message: "(#100) \(text)") }
    static let badToken = GraphError(code: 190, message: "Invalid OAuth access token - Cannot parse access token")

    var answer: PlatformAnswer {
        var error: [String: WireJSON] = ["message": .string(message), "type": "OAuthException", "code": .int(Int64(code)), "fbtrace_id": "A1b2C3d4E5f"]
        if let subcode { error["error_subcode"] = .int(Int64(subcode)) }
        return .json(status, ["error": .object(error)])
    }
}
