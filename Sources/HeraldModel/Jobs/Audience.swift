/// Who a campaign goes to.
public enum Audience: Sendable, Hashable {
    /// Every subscribed subscriber of the account.
    case all
    /// Subscribers with any of `include` (all when empty) and none of `exclude`.
    case tags(include: [String], exclude: [String])
    /// Existing subscribers named by platform id.
    case subscribers([String])
    /// An inline list; unknown recipients are added as subscribers with source `job`.
    case recipients([Recipient])

    /// The most ids or recipients one job may list inline; larger lists belong in a `subscribers` import.
    public static let maxInline = 10_000

    /// The forms an audience takes, for errors that ask for one.
    static let forms = #"one of {"all": true}, {"tags": {"include": ["customers"], "exclude": ["churned"]}}, {"subscribers": ["ID", …]}, or {"recipients": [{"id": "ID", "first_name": …}, …]}"#

    static func parse(_ node: JSONNode, platform: Platform) throws(JobValidationError) -> Audience {
        var fields = try node.object()
        let audience: Audience
        switch try fields.exactlyOne(of: ["all", "tags", "subscribers", "recipients"]) {
        case "all":
            let allNode = try fields.required("all")
            guard try allNode.bool() else { throw allNode.error("invalid_value", "must be true (omit it to choose another audience)") }
            audience = .all
        case "tags":
            var tags = try fields.required("tags").object()
            let include = try tags.optional("include").map { node throws(JobValidationError) in try node.stringArray(maxCount: 100, each: Tag.parse) } ?? []
            let exclude = try tags.optional("exclude").map { node throws(JobValidationError) in try node.stringArray(maxCount: 100, each: Tag.parse) } ?? []
            try tags.finish()
            if include.isEmpty && exclude.isEmpty {
                throw JobValidationError(path: node.path.appending("tags"), code: "empty", "needs \"include\" or \"exclude\" tags")
            }
            if let overlap = include.first(where: exclude.contains) {
                throw JobValidationError(path: node.path.appending("tags"), code: "conflicting_fields", "tag \"\(overlap)\" is both included and excluded")
            }
            audience = .tags(include: include, exclude: exclude)
        case "subscribers":
            let ids = try fields.required("subscribers").stringArray(maxCount: maxInline) { node throws(JobValidationError) in
                try Recipient.platformID(node, platform: platform)
            }
            if ids.isEmpty { throw JobValidationError(path: node.path.appending("subscribers"), code: "empty", "must not be empty") }
            audience = .subscribers(ids)
        default:
            audience = .recipients(try Recipients.parse(try fields.required("recipients"), platform: platform, max: maxInline))
        }
        try fields.finish()
        return audience
    }
}

/// Lists of recipients with duplicate detection.
enum Recipients {
    static func parse(_ node: JSONNode, platform: Platform, max: Int) throws(JobValidationError) -> [Recipient] {
        var seen = Set<String>()
        var result: [Recipient] = []
        for element in try node.array(minCount: 1, maxCount: max) {
            let recipient = try Recipient.parse(element, platform: platform)
            guard seen.insert(recipient.platformID).inserted else {
                throw element.error("duplicate_recipient", "recipient \(recipient.platformID) is listed twice")
            }
            result.append(recipient)
        }
        return result
    }
}
