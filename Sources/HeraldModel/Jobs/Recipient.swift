/// A subscriber named in a job: the platform's id for the chat or person, with optional profile fields.
public struct Recipient: Sendable, Hashable {
    public var platformID: String
    public var firstName: String?
    public var lastName: String?
    /// The public handle without its "@" (Telegram's `username`), for `{{username}}`.
    public var username: String?
    public var locale: String?
    public var fields: [String: String]
    public var tags: [String]

    public init(
        platformID: String, firstName: String? = nil, lastName: String? = nil, username: String? = nil, locale: String? = nil,
        fields: [String: String] = [:], tags: [String] = []
    ) {
        self.platformID = platformID
        self.firstName = firstName
        self.lastName = lastName
        self.username = username
        self.locale = locale
        self.fields = fields
        self.tags = tags
    }

    /// A Telegram chat id (a 64-bit integer, negative for groups, or `@channelname`) or a Messenger PSID (digits).
    public static func platformID(_ node: JSONNode, platform: Platform) throws(JobValidationError) -> String {
        let text: String
        if case .number(let literal) = node.value { text = literal } else { text = try node.string() }
        switch platform {
        case .telegram:
            if Int64(text) != nil, text != "0", !text.hasPrefix("+") { return text }
            let name = text.utf8.dropFirst()
            if text.hasPrefix("@"), (5...32).contains(name.count), name.allSatisfy({ JobID.isAlphanumeric($0) || $0 == UInt8(ascii: "_") }) { return text }
            throw node.error("invalid_recipient", "must be a Telegram chat id (a whole number such as 123456789 or -1001234567890) or @channelname")
        case .messenger:
            let bytes = text.utf8
            guard (1...32).contains(bytes.count), bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                throw node.error("invalid_recipient", "must be a Messenger page-scoped id (PSID): digits only")
            }
            return text
        }
    }

    /// A full recipient object, or (when `allowBare`) just an id.
    static func parse(_ node: JSONNode, platform: Platform, allowBare: Bool = true) throws(JobValidationError) -> Recipient {
        if allowBare, node.value.isScalarID { return Recipient(platformID: try platformID(node, platform: platform)) }
        var fields = try node.object()
        let id = try platformID(try fields.required("id"), platform: platform)
        let firstName = try fields.optional("first_name").map { node throws(JobValidationError) in try node.text(maxLength: 256) }
        let lastName = try fields.optional("last_name").map { node throws(JobValidationError) in try node.text(maxLength: 256) }
        let username = try fields.optional("username").map { node throws(JobValidationError) in try Recipient.username(node) }
        let locale = try fields.optional("locale").map { node throws(JobValidationError) in try Recipient.locale(node) }
        let custom = try fields.optional("fields").map { node throws(JobValidationError) in try Recipient.customFields(node) } ?? [:]
        let tags = try fields.optional("tags").map { node throws(JobValidationError) in try node.stringArray(maxCount: 100, each: Tag.parse) } ?? []
        try fields.finish()
        return Recipient(platformID: id, firstName: firstName, lastName: lastName, username: username, locale: locale, fields: custom, tags: tags)
    }

    /// A handle such as `ada_l` or `@ada_l` (stored without the "@"): 1–64 letters, digits, '_' or '.'.
    static func username(_ node: JSONNode) throws(JobValidationError) -> String {
        var text = try node.string()
        if text.hasPrefix("@") { text.removeFirst() }
        let ok = (1...64).contains(text.utf8.count) && text.utf8.allSatisfy { JobID.isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
        guard ok else { throw node.error("invalid_value", "must be a username such as \"ada_l\" (letters, digits, '_' or '.'; an \"@\" in front is dropped)") }
        return text
    }

    static func locale(_ node: JSONNode) throws(JobValidationError) -> String {
        let text = try node.string()
        let ok = (2...16).contains(text.utf8.count) && text.utf8.allSatisfy { JobID.isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
        guard ok else { throw node.error("invalid_value", "must be a locale such as \"it_IT\" or \"en\"") }
        return text
    }

    /// Custom fields: names of lower-case letters, digits and `_`; values strings, numbers or booleans.
    static func customFields(_ node: JSONNode) throws(JobValidationError) -> [String: String] {
        var reader = try node.object()
        guard reader.keys.count <= 100 else { throw node.error("too_many", "has \(reader.keys.count) fields; the limit is 100") }
        var result: [String: String] = [:]
        for key in reader.keys {
            let valueNode = reader.optional(key) ?? JSONNode(.null, path: node.path.appending(key))
            guard FieldName.isValid(key) else {
                throw valueNode.error("invalid_field_name", "field names use lower-case letters, digits and '_' and start with a letter (at most 64 characters)")
            }
            switch valueNode.value {
            case .string: result[key] = try valueNode.text(maxLength: 1000, minLength: 0)
            case .number(let literal): result[key] = literal
            case .bool(let flag): result[key] = flag ? "true" : "false"
            case .null: continue
            default: throw valueNode.typeMismatch("a string, number or boolean")
            }
        }
        return result
    }
}

extension JSONValue {
    var isScalarID: Bool {
        switch self {
        case .string, .number: true
        default: false
        }
    }
}

/// Custom field names.
enum FieldName {
    static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...64).contains(bytes.count), bytes[0] >= 0x61, bytes[0] <= 0x7A else { return false }
        return bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "_") }
    }
}

/// Subscriber tags.
public enum Tag {
    /// 1–64 characters of letters, digits, `_`, `-`, `.` or `:`.
    static func parse(_ node: JSONNode) throws(JobValidationError) -> String {
        let text = try node.string()
        let bytes = text.utf8
        let ok = (1...64).contains(bytes.count) && bytes.allSatisfy {
            JobID.isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":")
        }
        guard ok else { throw node.error("invalid_tag", "tags are 1–64 characters of letters, digits, '_', '-', '.' or ':'") }
        return text
    }
}
