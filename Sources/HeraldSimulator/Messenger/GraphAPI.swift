import Foundation

/// The simulated Graph API of one Page: the Send API, the Messenger Profile API, attachment upload and the
/// User Profile API, each checking the Page access token as Meta does.
enum GraphAPI {
    /// Answers `method path` (the path after `/vNN.N/`) with its `access_token` and JSON body.
    static func handle(method: String, path: [Substring], token: String?, body: [String: WireJSON], state: inout SimulatorState, now: Double) -> PlatformAnswer {
        guard token == state.settings.messengerToken else { return GraphError.badToken.answer }
        let page = state.settings.pageID
        switch (method, path.count, path.last) {
        case ("POST", 2, "messages"?):
            guard path[0] == "me" || path[0] == page else { return GraphError.parameter("Unknown page").answer }
            return send(body, state: &state, now: now)
        case ("POST", 2, "message_attachments"?):
            guard path[0] == "me" || path[0] == page else { return GraphError.parameter("Unknown page").answer }
            guard let attachment = body["message"]?["attachment"] else { return GraphError.parameter("message[attachment] is required").answer }
            if let problem = SendAPIRules.attachmentProblem(attachment) { return problem.answer }
            return .json(200, ["attachment_id": .string(String(1_857_777_770_000_000 + state.messageID()))])
        case ("POST", 2, "messenger_profile"?):
            return profile(body, state: &state)
        case ("GET", 1, let psid?) where psid.allSatisfy(\.isNumber):
            return userProfile(String(psid), state: state)
        default:
            return .json(404, ["error": ["message": "Unknown path", "type": "OAuthException", "code": 803]])
        }
    }

    private static func send(_ body: [String: WireJSON], state: inout SimulatorState, now: Double) -> PlatformAnswer {
        if let problem = SendAPIRules.check(body) { return problem.answer }
        let psid = body["recipient"]!["id"]!.string!
        let attachmentType = body["message"]?["attachment"]?["type"]?.string
        var violated = state.limits.over("page", kind: "messenger_page", limit: 300, window: 1, now: now)
        if attachmentType == "audio" || attachmentType == "video" {
            violated = state.limits.over("page-media", kind: "messenger_media", limit: 10, window: 1, now: now) || violated
        }
        if violated && state.settings.enforceLimits {
            state.count("messenger_613")
            state.sends.rejected += 1
            return GraphError(code: 613, message: "Calls to this api have exceeded the rate limit.").answer
        }
        if let person = state.population.person(.messenger, psid) {
            switch person.reachability {
            case .blocked: return GraphError(code: 551, subcode: 1_545_041, message: "This person isn't available right now.").answer
            case .deactivated: return GraphError(code: 200, subcode: 1_545_041, message: "(#200) Message Not Sent: This person isn't receiving messages from you right now.").answer
            case .neverStarted:
                if body["messaging_type"]?.string != "MESSAGE_TAG" {
                    return GraphError(code: 10, subcode: 2_018_278, message: "(#10) This message is sent outside of allowed window.").answer
                }
            case .reachable: break
            }
        }
        let mid = "m_\(state.messageID())"
        var result: [String: WireJSON] = ["recipient_id": .string(psid), "message_id": .string(mid)]
        if body["message"]?["attachment"]?["payload"]?["is_reusable"]?.bool == true {
            result["attachment_id"] = .string(String(1_857_777_770_000_000 + state.messageID()))
        }
        state.count("messenger_sent")
        state.sends.accepted(at: now)
        if state.settings.messengerWebhookURL != nil {
            PeopleBehaviour.received(messenger: body["message"]!, mid: mid, psid: psid, state: &state, now: now)
        }
        return .json(200, .object(result))
    }

    private static func profile(_ body: [String: WireJSON], state: inout SimulatorState) -> PlatformAnswer {
        let settable: Set<String> = ["greeting", "get_started", "persistent_menu", "ice_breakers", "whitelisted_domains", "account_linking_url", "commands"]
        if !Set(body.keys).isSubset(of: settable) { return GraphError.parameter("Unknown properties \(Set(body.keys).subtracting(settable).sorted())").answer }
        if body.isEmpty { return GraphError.parameter("No properties to set").answer }
        if let greeting = body["greeting"] {
            guard let list = greeting.array, list.contains(where: { $0["locale"]?.string == "default" }) else {
                return GraphError.parameter("greeting must include the default locale").answer
            }
            if list.contains(where: { ($0["text"]?.string?.utf16.count ?? 161) > 160 }) { return GraphError.parameter("greeting text is longer than 160 characters").answer }
        }
        if let started = body["get_started"], started["payload"]?.string?.isEmpty != false {
            return GraphError.parameter("get_started needs a payload").answer
        }
        state.messengerProfile.merge(body) { $1 }
        return .json(200, ["result": "success"])
    }

    private static func userProfile(_ psid: String, state: SimulatorState) -> PlatformAnswer {
        if let person = state.population.person(.messenger, psid) {
            return .json(200, ["first_name": .string(person.firstName), "last_name": .string(person.lastName), "id": .string(psid)])
        }
        // A PSID the simulator does not know: ids ending in 0 have no profile the Page may see.
        if psid.hasSuffix("0") { return GraphError(code: 100, subcode: 2_018_218, message: "(#100) No profile available for this user.").answer }
        return .json(200, ["first_name": "Person", "last_name": .string(String(psid.suffix(4))), "id": .string(psid)])
    }
}
