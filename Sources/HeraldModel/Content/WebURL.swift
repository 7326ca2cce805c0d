/// An absolute web URL that passed Herald's safety rules: http(s) only, a real host, no credentials.
public struct WebURL: Sendable, Hashable, Codable, CustomStringConvertible {
    public let string: String
    public var description: String { string }

    /// Checks a URL; `allowHTTP` is for feed sources, everything sent to a platform must be https.
    public static func parse(_ node: JSONNode, allowHTTP: Bool = false) throws(JobValidationError) -> WebURL {
        let text = try node.string()
        if let reason = problem(with: text, allowHTTP: allowHTTP) { throw node.error("invalid_url", reason) }
        return WebURL(string: text)
    }

    /// What is wrong with the URL, or nil.
    public static func problem(with text: String, allowHTTP: Bool) -> String? {
        let kind = allowHTTP ? "an http or https URL" : "an https URL"
        guard !text.isEmpty else { return "must be \(kind), not an empty string" }
        if text.utf8.count > 2048 { return "is \(text.utf8.count) bytes long; URLs are limited to 2048" }
        if text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || !$0.isASCII }) {
            return "must be \(kind) without spaces, control or non-ASCII characters (percent-encode them)"
        }
        guard let colon = text.firstIndex(of: ":") else { return "must be \(kind)" }
        let scheme = text[..<colon].lowercased()
        guard scheme == "https" || (allowHTTP && scheme == "http") else {
            return "must be \(kind), not a \(scheme.isEmpty ? "relative" : "\"\(scheme)\"") URL"
        }
        let rest = text[text.index(after: colon)...]
        guard rest.hasPrefix("//") else { return "must be \(kind) of the form https://host/path" }
        let afterSlashes = rest.dropFirst(2)
        let authority = afterSlashes.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if authority.contains("@") { return "must not contain credentials (user:password@)" }
        if authority.contains("\\") { return "must not contain backslashes in the host" }
        var host = authority
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return "has an unterminated IPv6 address" }
            host = host[...close]
            let port = authority[authority.index(after: close)...]
            if !port.isEmpty, !(port.hasPrefix(":") && isPort(port.dropFirst())) { return "has an invalid port" }
        } else if let portColon = host.firstIndex(of: ":") {
            guard isPort(host[host.index(after: portColon)...]) else { return "has an invalid port" }
            host = host[..<portColon]
        }
        guard !host.isEmpty else { return "must name a host" }
        let allowed = host.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "[" || $0 == "]" || $0 == ":" }
        guard allowed, !host.hasPrefix("."), !host.contains("..") else { return "has an invalid host name" }
        return nil
    }

    private static func isPort(_ text: Substring) -> Bool {
        guard !text.isEmpty, text.count <= 5, text.allSatisfy(\.isNumber), let port = Int(text) else { return false }
        return (1...65535).contains(port)
    }
}
