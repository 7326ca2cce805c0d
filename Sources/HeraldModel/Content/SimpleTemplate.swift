/// A template made of text and plain `{{name}}` tags naming profile values only: filled in by concatenation, the
/// result Mustache gives for it (text content type, a missing value is empty), without walking a context of
/// `Any` values for every recipient. Sections, partials, comments and anything else are left to Mustache.
struct SimpleTemplate: Sendable {
    enum Piece: Sendable {
        case text(String)
        case platformID, firstName, lastName, fullName, username, locale
        case field(String)
    }

    let pieces: [Piece]

    /// Nil when the source uses more of Mustache than plain variables.
    init?(_ source: String) {
        var pieces: [Piece] = []
        var rest = Substring(source)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { pieces.append(.text(String(rest[..<open.lowerBound]))) }
            let inside = rest[open.upperBound...]
            guard let close = inside.range(of: "}}") else { return nil }
            let name = inside[..<close.lowerBound].trimmingSpaces()
            guard let piece = SimpleTemplate.piece(named: name) else { return nil }
            pieces.append(piece)
            rest = inside[close.upperBound...]
        }
        if !rest.isEmpty { pieces.append(.text(String(rest))) }
        self.pieces = pieces
    }

    private static func piece(named name: Substring) -> Piece? {
        switch name {
        case "platform_id": return .platformID
        case "first_name": return .firstName
        case "last_name": return .lastName
        case "full_name": return .fullName
        case "username": return .username
        case "locale": return .locale
        default:
            guard name.hasPrefix("fields.") else { return nil }
            let key = name.dropFirst("fields.".count)
            // A dotted key would be a path into a value Mustache looks up differently.
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else { return nil }
            return .field(String(key))
        }
    }

    func render(_ profile: Profile) -> String {
        var out = ""
        for piece in pieces {
            switch piece {
            case .text(let text): out += text
            case .platformID: out += profile.platformID
            case .firstName: out += profile.firstName ?? ""
            case .lastName: out += profile.lastName ?? ""
            case .fullName: out += profile.fullName
            case .username: out += profile.username ?? ""
            case .locale: out += profile.locale ?? ""
            case .field(let key): out += profile.fields[key] ?? ""
            }
        }
        return out
    }
}

extension Substring {
    /// Without the spaces and tabs around it (Mustache allows them inside a tag).
    fileprivate func trimmingSpaces() -> Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
