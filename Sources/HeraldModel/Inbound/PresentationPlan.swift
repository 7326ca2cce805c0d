/// What the platform must be told so that the bot's presentation (Messenger greeting and Get Started button,
/// Telegram descriptions) is the one the `automation` job asked for: only what changed since it was last
/// applied, so the Messenger Profile API's 10 calls per 10 minutes are not spent on nothing.
public enum PresentationPlan {
    /// One API call.
    public struct Call: Sendable, Equatable {
        /// `setMyDescription`, `setMyShortDescription`, or `messenger_profile`.
        public var method: String
        public var body: JSONObject

        public init(method: String, body: JSONObject) {
            self.method = method
            self.body = body
        }
    }

    /// The calls that bring `applied` (nil: never applied) to `desired`; both as the automation job's
    /// `presentation` object.
    public static func calls(platform: Platform, desired: JSONValue, applied: JSONValue?) -> [Call] {
        func changed(_ key: String) -> String? {
            guard let value = desired[key]?.stringValue, value != applied?[key]?.stringValue else { return nil }
            return value
        }
        switch platform {
        case .telegram:
            var calls: [Call] = []
            if let text = changed("description") { calls.append(Call(method: "setMyDescription", body: ["description": .string(text)])) }
            if let text = changed("short_description") { calls.append(Call(method: "setMyShortDescription", body: ["short_description": .string(text)])) }
            return calls
        case .messenger:
            var body = JSONObject()
            // Meta requires a Get Started button before a greeting shows, and sets both in one call.
            if let payload = changed("get_started_payload") { body.insert("get_started", .object(["payload": .string(payload)])) }
            if let text = changed("greeting") { body.insert("greeting", .array([.object(["locale": .string("default"), "text": .string(text)])])) }
            return body.count == 0 ? [] : [Call(method: "messenger_profile", body: body)]
        }
    }
}
