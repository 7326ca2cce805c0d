import Foundation
import Mustache

/// Text that may carry personalisation: `Hi {{first_name}}`, `{{fields.city}}`,
/// `{{#first_name}}{{.}}{{/first_name}}{{^first_name}}friend{{/first_name}}` for a fallback.
public struct TemplateText: Sendable, Hashable, Codable, CustomStringConvertible {
    public let source: String
    public var description: String { source }

    /// Variables a template may use besides `fields.<name>`.
    public static let variables = ["first_name", "last_name", "full_name", "username", "locale", "platform_id", "fields"]

    public init(unchecked source: String) { self.source = source }

    /// How long a template's source may be for a platform limit of `maxLength`: room for tags and fallbacks.
    public static func sourceLimit(for maxLength: Int) -> Int { max(maxLength * 4, 1024) }

    /// Validates syntax and variable names, and the length in UTF-16 units: plain text against `maxLength`; a
    /// template as it renders for a subscriber with no profile data (its fixed text and fallbacks), its source
    /// against `sourceLimit(for:)`. Unescaped output (`{{{x}}}`, `{{&x}}`) is refused: each platform escapes
    /// personalised values its own way, and raw output would bypass that.
    public static func parse(_ node: JSONNode, maxLength: Int, minLength: Int = 1) throws(JobValidationError) -> TemplateText {
        let isTemplate = try node.string().contains("{{")
        let text = try node.text(maxLength: isTemplate ? sourceLimit(for: maxLength) : maxLength, minLength: minLength)
        guard isTemplate else { return TemplateText(unchecked: text) }
        if text.contains("{{{") || text.contains("{{&") {
            throw node.error("bad_template", "unescaped output ({{{…}}} or {{&…}}) is not allowed; use {{name}}")
        }
        if text.contains("{{>") || text.contains("{{<") || text.contains("{{$") || text.contains("{{=") || text.contains("{{%") {
            throw node.error("bad_template", "partials, inheritance, pragmas and delimiter changes are not allowed in messages")
        }
        let template: MustacheTemplate
        let pragma = "{{% CONTENT_TYPE: TEXT }}"
        do {
            template = try MustacheTemplate(string: pragma + text)
        } catch let error as MustacheTemplate.ParserError {
            // The parser's own words are Swift's (`ParserError(context: …)`): say what is wrong, and where, in the text as written.
            let what = switch error.error as? MustacheTemplate.Error {
            case .sectionCloseNameIncorrect?: "a section is closed with another name than it was opened with ({{#name}} … {{/name}})"
            case .unfinishedName?: "a tag is not finished: every {{ needs its }}"
            case .expectedSectionEnd?: "a section is not closed: every {{#name}} or {{^name}} needs its {{/name}}"
            default: text.components(separatedBy: "{{").count != text.components(separatedBy: "}}").count
                ? "a tag is not finished: every {{ needs its }}" : "the template cannot be read"
            }
            let line = error.context.lineNumber
            let column = line == 1 ? max(1, error.context.columnNumber - pragma.count) : error.context.columnNumber
            throw node.error("bad_template", "invalid template: \(what) (line \(line), column \(column))")
        } catch {
            throw node.error("bad_template", "invalid template: the template cannot be read")
        }
        for name in tagNames(in: text) {
            let root = name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? name
            if name == "." || variables.contains(root) { continue }
            throw node.error(
                "bad_template",
                "unknown variable {{\(name)}}; use one of \(variables.filter { $0 != "fields" }.joined(separator: ", ")) or fields.<name>\(Suggestion.hint(for: name, in: variables))"
            )
        }
        let bare: String = template.render(Profile(platformID: "").context)
        let length = bare.utf16.count
        if length > maxLength {
            throw node.error("too_long", "is \(length) characters long without personalisation; the limit is \(maxLength)")
        }
        if minLength > 0, bare.allSatisfy(\.isWhitespace) {
            throw node.error(
                "empty",
                "is empty for a subscriber without that profile data; give it a fallback, as in {{#first_name}}{{.}}{{/first_name}}{{^first_name}}friend{{/first_name}}"
            )
        }
        return TemplateText(unchecked: text)
    }

    /// The variable names inside `{{ }}` tags, without section sigils; comments are skipped.
    static func tagNames(in text: String) -> [String] {
        var names: [String] = []
        var rest = text[...]
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            var name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            rest = rest[close.upperBound...]
            if name.hasPrefix("!") { continue }
            if let sigil = name.first, "#^/".contains(sigil) { name = String(name.dropFirst()).trimmingCharacters(in: .whitespaces) }
            names.append(name)
        }
        return names
    }
}
