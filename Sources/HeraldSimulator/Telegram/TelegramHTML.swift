/// Telegram's `parse_mode: HTML`: the tags and entities it accepts, and the text length after parsing.
enum TelegramHTML {
    static let tags: Set<String> = ["b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "tg-emoji", "code", "pre", "blockquote"]

    /// The visible text, or the error description Telegram gives for markup it cannot parse.
    static func parse(_ html: String) -> Result<String, TelegramError> {
        var visible = ""
        var open: [String] = []
        var rest = Substring(html)
        while let first = rest.first {
            if first == "<" {
                guard let close = rest.firstIndex(of: ">") else { return .failure(.entities("Unclosed start tag")) }
                let inside = rest[rest.index(after: rest.startIndex)..<close]
                rest = rest[rest.index(after: close)...]
                if inside.hasPrefix("/") {
                    let name = inside.dropFirst().trimmingWhitespace().lowercased()
                    guard open.last == name else { return .failure(.entities("Unmatched end tag \"\(name)\"")) }
                    open.removeLast()
                } else {
                    let name = String(inside.prefix { !$0.isWhitespace }).lowercased()
                    guard tags.contains(name) else { return .failure(.entities("Unsupported start tag \"\(name)\"")) }
                    if name == "a", !inside.contains("href=") { return .failure(.entities("A tag must have an href")) }
                    open.append(name)
                }
            } else if first == "&" {
                guard let semicolon = rest.prefix(10).firstIndex(of: ";") else { return .failure(.entities("Unclosed entity")) }
                let name = rest[rest.index(after: rest.startIndex)..<semicolon]
                switch name {
                case "lt": visible += "<"
                case "gt": visible += ">"
                case "amp": visible += "&"
                case "quot": visible += "\""
                default:
                    if name.hasPrefix("#"), let scalar = Self.numeric(name.dropFirst()) {
                        visible.unicodeScalars.append(scalar)
                    } else {
                        return .failure(.entities("Unsupported HTML entity \"&\(name);\""))
                    }
                }
                rest = rest[rest.index(after: semicolon)...]
            } else if first == ">" {
                return .failure(.entities("Unexpected end tag"))
            } else {
                visible.append(first)
                rest = rest.dropFirst()
            }
        }
        guard open.isEmpty else { return .failure(.entities("Can't find end tag corresponding to start tag \"\(open.last!)\"")) }
        return .success(visible)
    }

    private static func numeric(_ digits: Substring) -> Unicode.Scalar? {
        let value = digits.hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
        return value.flatMap(Unicode.Scalar.init)
    }
}

extension Substring {
    func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
