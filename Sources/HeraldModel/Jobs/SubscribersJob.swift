/// Changes to the audience: import, update fields, tag, untag or unsubscribe, inline or from a file in the spool.
public struct SubscribersJob: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable, CaseIterable { case `import`, update, tag, untag, unsubscribe }

    /// Where the subscribers come from.
    public enum Source: Sendable, Hashable {
        case inline([Recipient])
        /// A CSV or JSONL file below the spool's `data/` folder, as a relative path.
        case file(SpoolDataPath)
    }

    public var account: String
    public var platform: Platform
    public var action: Action
    public var source: Source
    public var tags: [String]
    /// How the subscribers were acquired, recorded on import (`import` when not given).
    public var origin: String

    /// The most subscribers one job lists inline.
    public static let maxInline = 10_000

    static func parse(_ fields: inout ObjectReader, context: JobDecoder) throws(JobValidationError) -> SubscribersJob {
        let (account, platform) = try context.accounts.account(try fields.required("account"))
        let action = Action(rawValue: try fields.required("action").oneOf(Action.allCases.map(\.rawValue)))!
        let source: Source
        switch try fields.exactlyOne(of: ["subscribers", "file"]) {
        case "subscribers":
            source = .inline(try Recipients.parse(try fields.required("subscribers"), platform: platform, max: maxInline))
        default:
            source = .file(try SpoolDataPath.parse(try fields.required("file")))
        }
        var tags: [String] = []
        if let node = fields.optional("tags") {
            guard action == .tag || action == .untag || action == .import else {
                throw node.error("conflicting_fields", "\"tags\" goes with the import, tag and untag actions; put per-subscriber tags inside each subscriber")
            }
            tags = try node.stringArray(maxCount: 100, each: Tag.parse)
        } else if action == .tag || action == .untag {
            _ = try fields.required("tags")
        }
        let origin = try fields.optional("origin").map { node throws(JobValidationError) in try Tag.parse(node) } ?? "import"
        return SubscribersJob(account: account, platform: platform, action: action, source: source, tags: tags, origin: origin)
    }
}

/// A relative path below the spool's `data/` folder: never absolute, never `..`, `.csv` or `.jsonl`.
public struct SpoolDataPath: Sendable, Hashable, CustomStringConvertible {
    public let relativePath: String
    /// The file's name inside data/.
    public var fileName: String { String(relativePath.dropFirst(5)) }
    public var description: String { relativePath }

    public enum Format: String, Sendable { case csv, jsonl }

    public var format: Format { relativePath.hasSuffix(".csv") ? .csv : .jsonl }

    static func parse(_ node: JSONNode) throws(JobValidationError) -> SpoolDataPath {
        let text = try node.string()
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        let safeCharacters = text.utf8.allSatisfy { JobID.isAlphanumeric($0) || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
        guard safeCharacters, text.utf8.count <= 200, parts.count == 2, parts[0] == "data", !parts[1].isEmpty, !parts[1].hasPrefix(".")
        else {
            throw node.error("unsafe_path", "must name a file directly inside the spool's data/ folder, like \"data/customers.csv\" (no \"..\", no subfolders, no absolute paths, no hidden files)")
        }
        guard text.hasSuffix(".csv") || text.hasSuffix(".jsonl") else {
            throw node.error("invalid_value", "must name a .csv or .jsonl file")
        }
        return SpoolDataPath(relativePath: text)
    }
}
