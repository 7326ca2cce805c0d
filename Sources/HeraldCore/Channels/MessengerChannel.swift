import Foundation
import HeraldModel

/// The Messenger Send API: `POST {base}/{version}/{page-id}/messages?access_token={page token}` with a JSON body.
public struct MessengerChannel: MessagingChannel {
    let account: AccountConfiguration
    public let transport: any HTTPTransport

    public func request(for message: OutgoingMessage) -> Result<HTTPRequest, ChannelRefusal> {
        guard let token = account.token else { return .failure(ChannelRefusal(outcome: .accountBroken(reason: "account \(account.name) has no token configured"))) }
        guard let page = account.pageID else { return .failure(ChannelRefusal(outcome: .accountBroken(reason: "account \(account.name) has no page_id"))) }
        let encoded = token.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return .success(HTTPRequest(url: "\(account.apiBaseURL)/\(account.graphVersion)/\(page)/\(message.endpoint)?access_token=\(encoded)", body: message.body.jsonBytes))
    }

    public func classify(status: Int, body: [UInt8]) -> SendOutcome { MessengerAnswer.classify(status: status, body: body) }
}
