import HeraldModel

/// The Telegram Bot API: `POST {base}/bot{token}/{method}` with a JSON body.
public struct TelegramChannel: MessagingChannel {
    let account: AccountConfiguration
    let transport: any HTTPTransport

    public func send(_ message: OutgoingMessage) async -> SendOutcome {
        guard let token = account.token else { return .accountBroken(reason: "account \(account.name) has no token configured") }
        let request = HTTPRequest(url: "\(account.apiBaseURL)/bot\(token.value)/\(message.endpoint)", body: Array(message.body.jsonText.utf8))
        switch await transport.send(request) {
        case .response(let status, let body):
            return TelegramAnswer.classify(status: status, body: body)
        case .failure(let reason, let sent):
            return ChannelFactory.outcome(of: reason, requestSent: sent)
        }
    }
}
