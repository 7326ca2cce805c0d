import HeraldModel

/// Messenger's User Profile API: `GET /{version}/{PSID}?fields=first_name,last_name,profile_pic`.
struct GraphProfileAPI: Sendable {
    let account: AccountConfiguration
    let transport: any HTTPTransport

    /// A person's names, as far as the Page may see them.
    struct Profile: Sendable, Equatable {
        var firstName: String?
        var lastName: String?
        var locale: String?
    }

    /// The profile; a failure's text (the Graph error message) otherwise.
    func profile(_ psid: String) async -> Result<Profile, GraphFailure> {
        guard let token = account.token else { return .failure(GraphFailure(description: "no token", transient: false)) }
        let url = "\(account.apiBaseURL)/\(account.graphVersion)/\(psid)?fields=first_name,last_name&access_token=\(token.value)"
        switch await TransportCall.send(HTTPRequest(method: "GET", url: url, headers: []), on: transport) {
        case .failure(let reason, _):
            return .failure(GraphFailure(description: reason, transient: true))
        case .response(let status, let body):
            let answer = try? JSONParser(maxDepth: 32).parse(body)
            if status == 200, let answer {
                return .success(Profile(firstName: answer["first_name"]?.stringValue, lastName: answer["last_name"]?.stringValue, locale: answer["locale"]?.stringValue))
            }
            let message = answer?["error"]?["message"]?.stringValue ?? "HTTP \(status)"
            return .failure(GraphFailure(description: message, transient: status >= 500 || status == 429 || answer?["error"]?["code"]?.int64Value == 4))
        }
    }

    struct GraphFailure: Error, Sendable {
        var description: String
        /// A rate limit or a server error: try again later. Otherwise the profile is not available to this Page.
        var transient: Bool
    }
}
