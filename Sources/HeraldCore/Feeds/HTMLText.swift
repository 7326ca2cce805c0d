import CHTMLText
import Foundation

/// HTML reduced to plain text by libxml2's HTML parser (the HTML 4 entity table, raw-text script and style,
/// recovery from broken markup as browsers do): scripts, styles and comments dropped, blocks as line breaks,
/// whitespace collapsed, control characters removed.
public enum HTMLText {
    /// The text of `html`, and the first image's `src` (for feeds whose only picture is inside the description).
    public static func reduce(_ html: String) -> (text: String, firstImage: String?) {
        guard html.contains("<") || hasReference(html) else { return (collapse(html), nil) }
        var result = chtml_result()
        let parsed = html.withCString { chtml_reduce($0, strlen($0), &result) }
        guard parsed == 0 else { return (collapse(html), nil) }
        defer { chtml_result_free(&result) }
        let text = result.text.map { String(cString: $0) } ?? ""
        return (collapse(text), result.first_image.map { String(cString: $0) })
    }

    /// Whether the text has a character reference (`&amp;`, `&#233;`): a bare `&` is just text.
    static func hasReference(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var index = 0
        while let ampersand = bytes[index...].firstIndex(of: UInt8(ascii: "&")) {
            var end = ampersand + 1
            while end < bytes.count, end - ampersand <= 32,
                  (65...90).contains(bytes[end]) || (97...122).contains(bytes[end]) || (48...57).contains(bytes[end]) || bytes[end] == UInt8(ascii: "#") {
                end += 1
            }
            if end < bytes.count, end > ampersand + 1, bytes[end] == UInt8(ascii: ";") { return true }
            index = ampersand + 1
        }
        return false
    }

    /// Runs of spaces as one, at most one blank line, no control characters, trimmed.
    public static func collapse(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        var newlines = 0
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n":
                newlines += 1
                pendingSpace = false
            case " ", "\t", "\r", "\u{A0}", "\u{0B}", "\u{0C}":
                pendingSpace = true
            default:
                if scalar.value < 0x80 {
                    if scalar.value < 0x20 || scalar.value == 0x7F { continue }
                } else if scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format && scalar != "\u{200D}" {
                    continue
                }
                if !out.isEmpty {
                    if newlines > 0 { out += newlines > 1 ? "\n\n" : "\n" } else if pendingSpace { out += " " }
                }
                newlines = 0
                pendingSpace = false
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The character an HTML named entity stands for (`eacute` → é), from libxml2's HTML table.
    public static func entity(_ name: String) -> String? {
        let value = chtml_entity(name)
        guard value >= 0, let scalar = Unicode.Scalar(UInt32(value)) else { return nil }
        return String(Character(scalar))
    }
}
