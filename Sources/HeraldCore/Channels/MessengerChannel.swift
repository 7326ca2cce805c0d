import Foundation
import HeraldModel

/// The Messenger Send API: `POST {base}/{version}/{page-id}/messages?access_token={page token}` with a JSON body.
public struct MessengerChannel: MessagingChannel {
    let account: AccountConfiguration
    let transport: any HTTPTransport

    public func send(_ message: OutgoingMessage) async -> SendOutcome {
        guard let token = account.token else { return .accountBroken(reason: "account \(account.name) has no token configured") }
        guard let page = account.pageID else { return .accountBroken(reason: "account \(account.name) has no page_id") }
        let encoded = token.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let request = HTTPRequest(url: "\(account.apiBaseURL)/\(account.graphVersion)/\(page)/\(message.endpoint)?access_token=\(encoded)", body: Array(message.body.jsonText.utf8))
        return await ChannelFactory.send(request, over: transport) { MessengerAnswer.classify(status: $0, body: $1) }
    }
}
