/// Creates, updates or deletes a growth tool: a website button, a popup form, a landing page, a Page button or
/// image, or a code, each subscribing people to one or two accounts with its source recorded.
public struct GrowthToolJob: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable, CaseIterable { case create, update, delete }

    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case websiteButton = "website_button", popupForm = "popup_form", landingPage = "landing_page", pageButton = "page_button", pageImage = "page_image", code
    }

    /// Whether a website button shows the QR code instead of the link.
    public enum QRMode: String, Sendable, Hashable, CaseIterable { case never, desktop, always }

    /// A popup form's field.
    public struct Field: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable, CaseIterable { case firstName = "first_name", lastName = "last_name", email, phone, text, choice }
        public var name: String
        public var kind: Kind
        public var label: String
        public var required: Bool
        public var choices: [String]

        public init(name: String, kind: Kind, label: String, required: Bool, choices: [String]) {
            self.name = name
            self.kind = kind
            self.label = label
            self.required = required
            self.choices = choices
        }
    }

    /// When a popup form appears.
    public enum Trigger: Sendable, Hashable {
        case delay(seconds: Int)
        case scroll(percent: Int)
        case exitIntent
    }

    public struct Settings: Sendable, Hashable {
        public var kind: Kind?
        /// Account name → platform; at most one account per platform.
        public var accounts: [String: Platform]?
        public var source: String?
        public var title: String?
        public var text: String?
        public var labels: [Platform: String]?
        public var background: String?
        public var foreground: String?
        public var qr: QRMode?
        public var trigger: Trigger?
        public var showAgainAfterDays: Int?
        public var fields: [Field]?
        public var consent: Consent?
        public var origins: [String]?
    }

    /// The consent a form asks for, kept with each subscriber who gave it.
    public struct Consent: Sendable, Hashable {
        public var text: String
        public var version: String

        public init(text: String, version: String) {
            self.text = text
            self.version = version
        }
    }

    public var action: Action
    public var name: String
    public var settings: Settings

    /// Default button labels.
    public static let defaultLabels: [Platform: String] = [.messenger: "Message us on Messenger", .telegram: "Open in Telegram"]

    static func parse(_ fields: inout ObjectReader, context: JobDecoder) throws(JobValidationError) -> GrowthToolJob {
        let action = Action(rawValue: try fields.required("action").oneOf(Action.allCases.map(\.rawValue)))!
        let nameNode = try fields.required("name")
        let name = try nameNode.string()
        let bytes = Array(name.utf8)
        guard (1...40).contains(bytes.count), bytes.allSatisfy({ (97...122).contains($0) || (48...57).contains($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }),
              bytes.first.map({ $0 != UInt8(ascii: "-") && $0 != UInt8(ascii: "_") }) == true
        else { throw nameNode.error("invalid_name", "a growth tool's name is 1–40 of a–z, 0–9, _ and - (it appears in its URLs: /g/NAME.js, /s/NAME)") }
        var settings = Settings()
        guard action != .delete else { return GrowthToolJob(action: action, name: name, settings: settings) }
        let creating = action == .create
        if let node = creating ? try fields.required("kind") : fields.optional("kind") {
            settings.kind = Kind(rawValue: try node.oneOf(Kind.allCases.map(\.rawValue)))!
        }
        if let node = creating ? try fields.required("accounts") : fields.optional("accounts") {
            var accounts: [String: Platform] = [:]
            for element in try node.array(minCount: 1, maxCount: 2) {
                let (account, platform) = try context.accounts.account(element)
                if accounts.values.contains(platform) { throw element.error("conflicting_fields", "one account per platform: side by side, a Messenger Page and a Telegram bot") }
                accounts[account] = platform
            }
            settings.accounts = accounts
        }
        let sourceNode = fields.optional("source")
        let source = try sourceNode.map { node throws(JobValidationError) in try node.string() } ?? (creating ? defaultSource(name) : nil)
        if let source {
            for platform in Set((settings.accounts ?? [:]).values) {
                if let problem = GrowthLink.problem(with: source, platform: platform) {
                    throw (sourceNode ?? nameNode).error("invalid_source", "\(problem)\(sourceNode == nil ? " (the source defaults to the name; give \"source\")" : "")")
                }
            }
            if source.contains(GrowthLink.tokenSeparator) {
                throw (sourceNode ?? nameNode).error("invalid_source", "a growth tool's source may not contain \"--\" (it separates a form's token in the link)")
            }
            settings.source = source
        }
        settings.title = try fields.optional("title").map { node throws(JobValidationError) in try safeText(node, maxLength: 120) }
        settings.text = try fields.optional("text").map { node throws(JobValidationError) in try safeText(node, maxLength: 500) }
        if let node = fields.optional("labels") {
            var labels = try node.object()
            var result: [Platform: String] = [:]
            for platform in [Platform.messenger, .telegram] {
                if let label = labels.optional(platform.rawValue) { result[platform] = try safeText(label, maxLength: 40) }
            }
            try labels.finish()
            settings.labels = result
        }
        if let node = fields.optional("colors") {
            var colors = try node.object()
            settings.background = try colors.optional("background").map(color)
            settings.foreground = try colors.optional("text").map(color)
            try colors.finish()
        }
        settings.qr = try fields.optional("qr").map { node throws(JobValidationError) in QRMode(rawValue: try node.oneOf(QRMode.allCases.map(\.rawValue)))! }
        if let node = fields.optional("trigger") { settings.trigger = try trigger(node) }
        settings.showAgainAfterDays = try fields.optional("show_again_after_days").map { node throws(JobValidationError) in Int(try node.integer(in: 0...365)) }
        if let node = fields.optional("fields") {
            var seen = Set<String>()
            var list: [Field] = []
            for element in try node.array(minCount: 1, maxCount: 10) {
                let field = try self.field(element)
                guard seen.insert(field.name).inserted else { throw element.error("duplicate_field", "field \"\(field.name)\" appears twice") }
                list.append(field)
            }
            settings.fields = list
        }
        if let node = fields.optional("consent") {
            var consent = try node.object()
            let text = try safeText(try consent.required("text"), maxLength: 1000)
            let version = try safeText(try consent.required("version"), maxLength: 40)
            try consent.finish()
            settings.consent = Consent(text: text, version: version)
        }
        if let node = fields.optional("origins") {
            settings.origins = try node.stringArray(maxCount: 20) { element throws(JobValidationError) in try origin(element) }
        }
        if settings.kind == .popupForm, creating {
            if settings.fields == nil { throw JobValidationError(path: JSONPath.root.appending("fields"), code: "missing_field", "a popup_form needs \"fields\" (first_name, email, …)") }
            if settings.origins == nil {
                throw JobValidationError(path: JSONPath.root.appending("origins"), code: "missing_field", "a popup_form needs \"origins\": the sites allowed to submit it (CORS), like [\"https://shop.example.com\"]")
            }
            if let source = settings.source, source.utf8.count > GrowthLink.maxFormSource {
                throw (sourceNode ?? nameNode).error("invalid_source", "a popup form's source is at most \(GrowthLink.maxFormSource) characters: its links carry a \(OptInToken.length)-character token too, within Telegram's 64")
            }
        }
        return GrowthToolJob(action: action, name: name, settings: settings)
    }

    /// The source a tool records when its job names none: its name, with `_` for `-`.
    public static func defaultSource(_ name: String) -> String { name.replacingOccurrences(of: "-", with: "_") }

    /// Text shown on a website: plain, no markup, no control characters, no `javascript:`.
    static func safeText(_ node: JSONNode, maxLength: Int) throws(JobValidationError) -> String {
        let text = try node.text(maxLength: maxLength)
        if text.contains("<") || text.contains(">") { throw node.error("unsafe_text", "must be plain text: < and > are not allowed (Herald escapes what it renders; markup is refused at intake)") }
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" }) { throw node.error("unsafe_text", "must not contain control characters") }
        if text.lowercased().replacingOccurrences(of: " ", with: "").contains("javascript:") { throw node.error("unsafe_text", "must not contain javascript: URLs") }
        return text
    }

    /// `#RRGGBB`.
    static func color(_ node: JSONNode) throws(JobValidationError) -> String {
        let text = try node.string()
        let hex = Array(text.utf8.dropFirst())
        guard text.hasPrefix("#"), hex.count == 6, hex.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) || (65...70).contains($0) }) else {
            throw node.error("invalid_color", "must be a colour like \"#0866ff\"")
        }
        return text.lowercased()
    }

    /// A site's origin: `https://host[:port]` (http only for localhost and 127.0.0.1), no path.
    static func origin(_ node: JSONNode) throws(JobValidationError) -> String {
        let text = try node.string()
        let lower = text.lowercased()
        let local = lower.hasPrefix("http://localhost") || lower.hasPrefix("http://127.0.0.1")
        guard lower.hasPrefix("https://") || local else { throw node.error("invalid_origin", "must be an https origin like \"https://shop.example.com\" (http only for localhost)") }
        let rest = lower.drop { $0 != "/" }.dropFirst(2)
        guard !rest.isEmpty, !rest.contains("/"), !rest.contains("@"), rest.allSatisfy({ $0.isLetter || $0.isNumber || ".-:[]".contains($0) }) else {
            throw node.error("invalid_origin", "must be an origin (scheme, host and port, no path), like \"https://shop.example.com\"")
        }
        return lower
    }

    static func trigger(_ node: JSONNode) throws(JobValidationError) -> Trigger {
        var fields = try node.object()
        let trigger: Trigger
        switch try fields.exactlyOne(of: ["delay_seconds", "scroll_percent", "exit_intent"]) {
        case "delay_seconds": trigger = .delay(seconds: Int(try fields.required("delay_seconds").integer(in: 0...600)))
        case "scroll_percent": trigger = .scroll(percent: Int(try fields.required("scroll_percent").integer(in: 1...100)))
        default:
            let exit = try fields.required("exit_intent")
            guard try exit.bool() else { throw exit.error("invalid_value", "must be true (choose another trigger otherwise)") }
            trigger = .exitIntent
        }
        try fields.finish()
        return trigger
    }

    static func field(_ node: JSONNode) throws(JobValidationError) -> Field {
        var fields = try node.object()
        let kind = Field.Kind(rawValue: try fields.required("type").oneOf(Field.Kind.allCases.map(\.rawValue)))!
        let nameNode = fields.optional("name")
        let name = try nameNode.map { node throws(JobValidationError) in try Tag.parse(node) } ?? kind.rawValue
        if kind == .text || kind == .choice, nameNode == nil { throw node.error("missing_field", "a \(kind.rawValue) field needs a \"name\" (it becomes the custom field fields.NAME)") }
        let label = try safeText(try fields.required("label"), maxLength: 80)
        let required = try fields.optional("required").map { node throws(JobValidationError) in try node.bool() } ?? false
        var choices: [String] = []
        if let choicesNode = fields.optional("choices") {
            guard kind == .choice else { throw choicesNode.error("conflicting_fields", "only a choice field has choices") }
            choices = try choicesNode.stringArray(maxCount: 20) { element throws(JobValidationError) in try safeText(element, maxLength: 60) }
        }
        if kind == .choice, choices.count < 2 { throw node.error("missing_field", "a choice field needs at least two \"choices\"") }
        try fields.finish()
        return Field(name: name, kind: kind, label: label, required: required, choices: choices)
    }
}
