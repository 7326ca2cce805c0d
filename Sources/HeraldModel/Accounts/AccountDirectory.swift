/// The accounts a job may name, with their platforms: what validation needs to know of the configuration.
public struct AccountDirectory: Sendable, Equatable {
    public var platforms: [String: Platform]

    public init(_ platforms: [String: Platform]) { self.platforms = platforms }

    /// An account name, checked against the configured accounts.
    func account(_ node: JSONNode) throws(JobValidationError) -> (name: String, platform: Platform) {
        let name = try node.string()
        guard let platform = platforms[name] else {
            let known = platforms.keys.sorted()
            let list = known.isEmpty ? "no accounts are configured" : "configured accounts: " + known.joined(separator: ", ")
            throw node.error("unknown_account", "unknown account \(JSONPath.quote(name)) (\(list))\(Suggestion.hint(for: name, in: known))")
        }
        return (name, platform)
    }
}
