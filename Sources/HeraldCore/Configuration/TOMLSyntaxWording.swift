/// A TOML parser's error in plain words, with the line it is on and a caret under the place.
struct TOMLSyntaxWording {
    /// The configuration text, to quote the line.
    var text: String

    /// "PATH:LINE:COLUMN: what is wrong", then the line and a caret.
    func describe(parserMessage: String, line: Int, column: Int, path: String) -> String {
        var message = "\(path):\(line):\(column): \(plain(parserMessage))"
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if line >= 1, line <= lines.count {
            let quoted = String(lines[line - 1].prefix(200)).replacingOccurrences(of: "\t", with: " ")
            let gutter = String(line)
            message += "\n    \(gutter) | \(quoted)\n    \(String(repeating: " ", count: gutter.count)) | \(String(repeating: " ", count: max(0, min(column - 1, quoted.count))))^"
        }
        return message
    }

    /// toml++'s wording ("Error while parsing value: could not determine value type") said as a user would.
    func plain(_ parserMessage: String) -> String {
        var detail = parserMessage
        var context = ""
        if detail.hasPrefix("Error while parsing "), let colon = detail.firstIndex(of: ":") {
            context = String(detail[detail.index(detail.startIndex, offsetBy: 20)..<colon])
            detail = String(detail[detail.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        }
        if detail.contains("could not determine value type") {
            return "this value is not something TOML knows: put text in double quotes (name = \"shop\"); numbers, true/false and dates go without quotes"
        }
        if detail.contains("unescaped control characters") || (context == "string" && detail.contains("end-of-file")) {
            return "a string is not closed on this line: add the closing \" (a multi-line string needs \"\"\" … \"\"\")"
        }
        if detail.contains("encountered end-of-file") {
            return "the file ends before this \(context.isEmpty ? "value" : context) is closed"
        }
        if detail.hasPrefix("cannot redefine existing") {
            let what = detail.firstIndex(of: "'").map { String(detail[$0...]) } ?? "this name"
            return "\(what) is already set above: each setting and table may appear only once"
        }
        if context == "floating-point" || context == "integer" {
            return "this number is not written as TOML writes numbers (\(detail))"
        }
        if context == "table header" || context == "array" || context == "inline table" {
            return "in this \(context): \(detail)"
        }
        if context == "key-value pair", detail.hasPrefix("expected value") {
            return "a setting needs a value after '=' (text in double quotes, numbers and true/false bare)"
        }
        return context.isEmpty ? detail : "in this \(context): \(detail)"
    }
}
