import HeraldModel

/// The Telegram Bot API: `POST {base}/bot{token}/{method}` with a JSON body.
public struct TelegramChannel: MessagingChannel {
    let account: AccountConfiguration
    let transport: any HTTPTransport

    public func send(_ message: OutgoingMessage) async -> SendOutcome {
        guard let token = account.token else { return .accountBroken(reason: "account \(account.name) has no token configured") }
        let request = HTTPRequest(url: "\(account.apiBaseURL)/bot\(token.value)/\(message.endpoint)", body: Array(message.body.jsonText.utf8))
        return await ChannelFactory.send(request, over: transport) { TelegramAnswer.classify(status: $0, body: $1) }
    }
}
