import HeraldModel

/// The Telegram Bot API: `POST {base}/bot{token}/{method}` with a JSON body.
public struct TelegramChannel: MessagingChannel {
    let account: AccountConfiguration
    public let transport: any HTTPTransport

    public func request(for message: OutgoingMessage) -> Result<HTTPRequest, ChannelRefusal> {
        guard let token = account.token else { return .failure(ChannelRefusal(outcome: .accountBroken(reason: "account \(account.name) has no token configured"))) }
        return .success(HTTPRequest(url: "\(account.apiBaseURL)/bot\(token.value)/\(message.endpoint)", body: message.body.jsonBytes))
    }

    public func classify(status: Int, body: [UInt8]) -> SendOutcome { TelegramAnswer.classify(status: status, body: body) }
}
