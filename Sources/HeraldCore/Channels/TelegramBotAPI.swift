import HeraldModel

/// The Bot API calls that are not sends: `getUpdates`, webhooks, callback answers, descriptions.
///
/// ```swift
/// let api = TelegramBotAPI(account: account, transport: transport)
/// let result = await api.call("getWebhookInfo")
/// ```
public struct TelegramBotAPI: Sendable {
    let account: AccountConfiguration
    let transport: any HTTPTransport

    public init(account: AccountConfiguration, transport: any HTTPTransport) {
        self.account = account
        self.transport = transport
    }

    /// What went wrong with a call: Telegram's own description and code, or the transport's failure.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// Telegram's `error_code` (HTTP status), or 0 when no answer came.
        public var code: Int
        public var description: String
        /// `parameters.retry_after`, on a 429.
        public var retryAfter: Double?
    }

    /// Calls `method` with a JSON body; the `result` on success.
    public func call(_ method: String, _ parameters: JSONObject = [:], timeoutSeconds: Int? = nil) async -> Result<JSONValue, Failure> {
        guard let token = account.token else { return .failure(Failure(code: 0, description: "account \(account.name) has no token configured")) }
        let request = HTTPRequest(url: "\(account.apiBaseURL)/bot\(token.value)/\(method)", body: Array(JSONValue.object(parameters).jsonText.utf8), timeoutSeconds: timeoutSeconds)
        switch await TransportCall.send(request, on: transport) {
        case .failure(let reason, _):
            return .failure(Failure(code: 0, description: reason))
        case .response(let status, let body):
            guard let answer = try? JSONParser(maxDepth: 64).parse(body) else {
                return .failure(Failure(code: status, description: "HTTP \(status) with an unreadable body"))
            }
            if answer["ok"]?.boolValue == true, let result = answer["result"] { return .success(result) }
            let code = answer["error_code"]?.int64Value.map { Int($0) } ?? status
            let description = answer["description"]?.stringValue ?? "HTTP \(status)"
            let retryAfter = answer["parameters"]?["retry_after"]?.int64Value.map(Double.init)
            return .failure(Failure(code: code, description: description, retryAfter: retryAfter))
        }
    }
}
