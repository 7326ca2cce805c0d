/// Creates, updates, deletes or runs now a feed automation: a source polled on a frequency whose new items become campaigns.
public struct FeedJob: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable, CaseIterable { case create, update, delete, run }
    public enum Mode: String, Sendable, Hashable { case each, digest }

    /// How often the source is polled.
    public enum Frequency: Sendable, Hashable {
        case everyMinutes(Int)
        case daily(hour: Int, minute: Int, zone: String)
        case weekly(weekday: Int, hour: Int, minute: Int, zone: String)
    }

    /// How an item becomes a message: a built-in layout or a template over the item's fields.
    public enum Layout: Sendable, Hashable {
        case text, card
        case custom(MessageContent)
    }

    /// The settings of a created or updated feed; on update, nil means unchanged.
    public struct Settings: Sendable, Hashable {
        public var account: String?
        public var platform: Platform?
        public var source: WebURL?
        public var frequency: Frequency?
        public var mode: Mode?
        public var layout: Layout?
        public var maxItems: Int?
        public var audience: Audience?
        public var sendLatestOnFirstRun: Int?
        public var options: SendOptions?
    }

    public var action: Action
    public var name: String
    public var settings: Settings

    static let weekdays = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]

    static func parse(_ fields: inout ObjectReader, context: JobDecoder) throws(JobValidationError) -> FeedJob {
        let action = Action(rawValue: try fields.required("action").oneOf(Action.allCases.map(\.rawValue)))!
        let name = try Tag.parse(try fields.required("name"))
        var settings = Settings()
        guard action != .delete, action != .run else { return FeedJob(action: action, name: name, settings: settings) }
        let accountNode = action == .create ? try fields.required("account") : fields.optional("account")
        if let accountNode {
            let (account, platform) = try context.accounts.account(accountNode)
            settings.account = account
            settings.platform = platform
        }
        let platform = settings.platform
        settings.source = try (action == .create ? try fields.required("source") : fields.optional("source")).map { node throws(JobValidationError) in try WebURL.parse(node, allowHTTP: true) }
        settings.frequency = try (action == .create ? try fields.required("frequency") : fields.optional("frequency")).map(parseFrequency)
        settings.mode = try fields.optional("mode").map { node throws(JobValidationError) in Mode(rawValue: try node.oneOf(["each", "digest"]))! }
        settings.maxItems = try fields.optional("max_items").map { node throws(JobValidationError) in Int(try node.integer(in: 1...50)) }
        settings.sendLatestOnFirstRun = try fields.optional("send_latest_on_first_run").map { node throws(JobValidationError) in Int(try node.integer(in: 0...50)) }
        let platformNeeded = { (node: JSONNode) throws(JobValidationError) -> Platform in
            guard let platform else { throw node.error("missing_field", "needs \"account\" in the same job, to check it against the account's platform") }
            return platform
        }
        if let node = fields.optional("layout") {
            if case .string = node.value {
                settings.layout = try node.oneOf(["text", "card"]) == "text" ? .text : .card
            } else {
                settings.layout = .custom(try MessageContent.parse(try FeedLayout.withSentinels(node), platform: try platformNeeded(node)))
            }
        }
        if let node = fields.optional("audience") { settings.audience = try Audience.parse(node, platform: try platformNeeded(node)) }
        if let node = fields.optional("options") {
            settings.options = try SendOptions.parse(node, platform: try platformNeeded(node), automated: true, defaults: context.defaultOptions)
        }
        return FeedJob(action: action, name: name, settings: settings)
    }

    public static func parseFrequency(_ node: JSONNode) throws(JobValidationError) -> Frequency {
        var fields = try node.object()
        let frequency: Frequency
        switch try fields.exactlyOne(of: ["every_minutes", "every_hours", "daily_at", "weekly_on"]) {
        case "every_minutes":
            frequency = .everyMinutes(Int(try fields.required("every_minutes").integer(in: 5...43_200)))
        case "every_hours":
            frequency = .everyMinutes(Int(try fields.required("every_hours").integer(in: 1...720)) * 60)
        case "daily_at":
            let (hour, minute) = try clockTime(try fields.required("daily_at"))
            let zone = try SendTime.timeZone(try fields.required("zone")).identifier
            frequency = .daily(hour: hour, minute: minute, zone: zone)
        default:
            let day = try fields.required("weekly_on").oneOf(weekdays)
            let (hour, minute) = try clockTime(try fields.required("at"))
            let zone = try SendTime.timeZone(try fields.required("zone")).identifier
            frequency = .weekly(weekday: weekdays.firstIndex(of: day)! + 1, hour: hour, minute: minute, zone: zone)
        }
        try fields.finish()
        return frequency
    }

    /// `HH:MM` on a 24-hour clock.
    static func clockTime(_ node: JSONNode) throws(JobValidationError) -> (Int, Int) {
        let text = try node.string()
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }), let hour = Int(parts[0]), let minute = Int(parts[1]),
              (0...23).contains(hour), (0...59).contains(minute)
        else { throw node.error("invalid_time", "must be a time of day like \"09:30\"") }
        return (hour, minute)
    }
}
