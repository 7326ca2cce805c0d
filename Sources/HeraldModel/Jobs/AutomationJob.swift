/// Settings of an account's automated messages. Each field present replaces that setting; `null` clears it.
public struct AutomationJob: Sendable, Hashable {
    /// A setting's new state.
    public enum Change<Value: Sendable & Hashable>: Sendable, Hashable {
        case set(Value)
        case clear
    }

    /// What the bot shows before a conversation starts.
    public struct Presentation: Sendable, Hashable {
        /// Messenger greeting text (160 characters).
        public var greeting: String?
        /// Telegram bot description (512) and short description (120).
        public var description: String?
        public var shortDescription: String?
        /// Messenger Get Started button (its postback payload).
        public var getStartedPayload: String?
    }

    /// A reply to inbound messages that match nothing else, at most once per interval per subscriber.
    public struct DefaultReply: Sendable, Hashable {
        public var message: MessageContent
        public var minIntervalMinutes: Int

        public init(message: MessageContent, minIntervalMinutes: Int) {
            self.message = message
            self.minIntervalMinutes = minIntervalMinutes
        }
    }

    /// A reply to messages containing one of the keywords (case-insensitive, whole words).
    public struct KeywordReply: Sendable, Hashable {
        public var keywords: [String]
        public var message: MessageContent

        public init(keywords: [String], message: MessageContent) {
            self.keywords = keywords
            self.message = message
        }
    }

    public var account: String
    public var platform: Platform
    public var presentation: Change<Presentation>?
    public var welcome: Change<MessageContent>?
    /// A welcome for subscribers from one growth source (`qr_code`, `popup_form`, …) instead of `welcome`.
    public var welcomeBySource: Change<[String: MessageContent]>?
    public var goodbye: Change<MessageContent>?
    public var defaultReply: Change<DefaultReply>?
    public var keywordReplies: Change<[KeywordReply]>?
    public var unsubscribeKeywords: Change<[String]>?

    public static let settings = ["presentation", "welcome", "welcome_by_source", "goodbye", "default_reply", "keyword_replies", "unsubscribe_keywords"]

    static func parse(_ fields: inout ObjectReader, context: JobDecoder, path: JSONPath) throws(JobValidationError) -> AutomationJob {
        let (account, platform) = try context.accounts.account(try fields.required("account"))
        var job = AutomationJob(account: account, platform: platform)
        job.presentation = try change(&fields, "presentation") { node throws(JobValidationError) in try parsePresentation(node, platform: platform) }
        job.welcome = try change(&fields, "welcome") { node throws(JobValidationError) in try MessageContent.parse(node, platform: platform) }
        job.welcomeBySource = try change(&fields, "welcome_by_source") { node throws(JobValidationError) in
            var sources = try node.object()
            var welcomes: [String: MessageContent] = [:]
            guard sources.keys.count <= 100 else { throw node.error("too_many", "at most 100 sources") }
            for source in sources.keys {
                let message = sources.optional(source)!
                if let problem = GrowthLink.problem(with: source, platform: platform) { throw message.error("invalid_source", problem) }
                welcomes[source] = try MessageContent.parse(message, platform: platform)
            }
            try sources.finish()
            return welcomes
        }
        job.goodbye = try change(&fields, "goodbye") { node throws(JobValidationError) in try MessageContent.parse(node, platform: platform) }
        job.defaultReply = try change(&fields, "default_reply") { node throws(JobValidationError) in
            var reply = try node.object()
            let message = try MessageContent.parse(try reply.required("message"), platform: platform)
            let interval = try reply.optional("min_interval_minutes")?.integer(in: 1...525_600) ?? 1440
            try reply.finish()
            return DefaultReply(message: message, minIntervalMinutes: Int(interval))
        }
        job.keywordReplies = try change(&fields, "keyword_replies") { node throws(JobValidationError) in
            var replies: [KeywordReply] = []
            for element in try node.array(maxCount: 100) {
                var reply = try element.object()
                let keywords = try reply.required("keywords").stringArray(maxCount: 50, each: keyword)
                let message = try MessageContent.parse(try reply.required("message"), platform: platform)
                try reply.finish()
                replies.append(KeywordReply(keywords: keywords, message: message))
            }
            return replies
        }
        job.unsubscribeKeywords = try change(&fields, "unsubscribe_keywords") { node throws(JobValidationError) in
            try node.stringArray(maxCount: 50, each: keyword)
        }
        let present = [job.presentation != nil, job.welcome != nil, job.welcomeBySource != nil, job.goodbye != nil, job.defaultReply != nil, job.keywordReplies != nil, job.unsubscribeKeywords != nil]
        if !present.contains(true) {
            throw JobValidationError(path: path, code: "missing_field", "an automation job needs at least one of \(settings.joined(separator: ", "))")
        }
        return job
    }

    private init(account: String, platform: Platform) {
        self.account = account
        self.platform = platform
    }

    private static func change<Value>(_ fields: inout ObjectReader, _ key: String, parse: (JSONNode) throws(JobValidationError) -> Value) throws(JobValidationError) -> Change<Value>? {
        if fields.isExplicitNull(key) { return .clear }
        guard let node = fields.optional(key) else { return nil }
        return .set(try parse(node))
    }

    static func keyword(_ node: JSONNode) throws(JobValidationError) -> String {
        let text = try node.text(maxLength: 64)
        guard !text.contains(where: \.isNewline) else { throw node.error("invalid_value", "keywords are single lines") }
        return text.lowercased()
    }

    static func parsePresentation(_ node: JSONNode, platform: Platform) throws(JobValidationError) -> Presentation {
        var fields = try node.object()
        var presentation = Presentation()
        switch platform {
        case .messenger:
            presentation.greeting = try fields.optional("greeting")?.text(maxLength: 160)
            presentation.getStartedPayload = try fields.optional("get_started_payload")?.text(maxLength: 1000)
            for telegramOnly in ["description", "short_description"] where fields.optional(telegramOnly) != nil {
                throw JobValidationError(path: node.path.appending(telegramOnly), code: "wrong_platform", "is a Telegram setting; on Messenger use \"greeting\"")
            }
        case .telegram:
            presentation.description = try fields.optional("description")?.text(maxLength: 512, minLength: 0)
            presentation.shortDescription = try fields.optional("short_description")?.text(maxLength: 120, minLength: 0)
            for messengerOnly in ["greeting", "get_started_payload"] where fields.optional(messengerOnly) != nil {
                throw JobValidationError(path: node.path.appending(messengerOnly), code: "wrong_platform", "is a Messenger setting; on Telegram use \"description\" and \"short_description\"")
            }
        }
        try fields.finish()
        if presentation == Presentation() { throw node.error("empty", "sets nothing") }
        return presentation
    }
}
