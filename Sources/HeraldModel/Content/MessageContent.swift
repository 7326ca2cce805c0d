/// What a campaign or transactional message sends: an ordered list of modules and optional quick replies.
public struct MessageContent: Sendable, Hashable, Codable {
    public var modules: [ContentModule]
    public var quickReplies: [QuickReply]

    /// The most modules one message may carry (each becomes one API call).
    public static let maxModules = 10

    public init(modules: [ContentModule], quickReplies: [QuickReply] = []) {
        self.modules = modules
        self.quickReplies = quickReplies
    }

    /// Parses `{"modules": [...], "quick_replies": [...]}` against one platform's limits.
    public static func parse(_ node: JSONNode, platform: Platform) throws(JobValidationError) -> MessageContent {
        let limits = platform.limits
        var fields = try node.object()
        var modules: [ContentModule] = []
        for element in try fields.required("modules").array(minCount: 1, maxCount: maxModules) {
            modules.append(try ContentModule.parse(element, limits: limits))
        }
        var quickReplies: [QuickReply] = []
        if let node = fields.optional("quick_replies") {
            for element in try node.array(minCount: 1, maxCount: limits.quickReplies) {
                quickReplies.append(try QuickReply.parse(element, limits: limits))
            }
        }
        try fields.finish()
        return MessageContent(modules: modules, quickReplies: quickReplies)
    }
}
