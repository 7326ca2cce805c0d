/// Reads the rows of a `subscribers` data file: CSV with a header row, or JSON Lines.
///
/// CSV columns: `id` (required), `first_name`, `last_name`, `username`, `locale`, `tags` (separated by `;`); any other
/// column is a custom field. JSONL: one subscriber object per line, as in an inline list.
public enum SubscriberFile {
    /// The most rows one file may hold.
    public static let maxRows = 1_000_000

    public static func parse(_ bytes: [UInt8], format: SpoolDataPath.Format, platform: Platform, path: JSONPath) throws(JobValidationError) -> [Recipient] {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw JobValidationError(path: path, code: "invalid_file", "the data file is not valid UTF-8")
        }
        switch format {
        case .jsonl: return try parseJSONLines(text, platform: platform, path: path)
        case .csv: return try parseCSV(text, platform: platform, path: path)
        }
    }

    static func parseJSONLines(_ text: String, platform: Platform, path: JSONPath) throws(JobValidationError) -> [Recipient] {
        var recipients: [Recipient] = []
        var seen = Set<String>()
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
            if trimmed.allSatisfy(\.isWhitespace) { continue }
            let value: JSONValue
            do {
                value = try JSONParser(maxDepth: 8).parse(Array(trimmed.utf8))
            } catch {
                throw JobValidationError(path: path, code: "invalid_file", "line \(number + 1): not valid JSON: \(error.reason)")
            }
            let recipient: Recipient
            do {
                recipient = try Recipient.parse(JSONNode(value), platform: platform, allowBare: false)
            } catch {
                throw JobValidationError(path: path, code: "invalid_file", "line \(number + 1): \(error.path): \(error.message)")
            }
            try append(recipient, to: &recipients, seen: &seen, line: number + 1, path: path)
        }
        return recipients
    }

    static func parseCSV(_ text: String, platform: Platform, path: JSONPath) throws(JobValidationError) -> [Recipient] {
        var rows = CSVRows(text: text)
        guard let header = try rows.next(path: path) else {
            throw JobValidationError(path: path, code: "invalid_file", "the CSV file is empty: it needs a header row with an \"id\" column")
        }
        let columns = header.map { $0.trimmingWhitespace.lowercased() }
        guard let idColumn = columns.firstIndex(of: "id") else {
            throw JobValidationError(path: path, code: "invalid_file", "the CSV header has no \"id\" column (found: \(columns.joined(separator: ", ")))")
        }
        let standard: Set = ["id", "first_name", "last_name", "username", "locale", "tags"]
        for column in columns where !standard.contains(column) && !FieldName.isValid(column) {
            throw JobValidationError(path: path, code: "invalid_file", "CSV column \(JSONPath.quote(column)) is not a valid custom field name (lower-case letters, digits and '_')")
        }
        if Set(columns).count != columns.count {
            throw JobValidationError(path: path, code: "invalid_file", "the CSV header repeats a column name")
        }
        var recipients: [Recipient] = []
        var seen = Set<String>()
        while let row = try rows.next(path: path) {
            let line = rows.line
            if row.count == 1, row[0].isEmpty { continue }
            guard row.count == columns.count else {
                throw JobValidationError(path: path, code: "invalid_file", "line \(line): \(row.count) values for \(columns.count) columns")
            }
            func fail(_ error: JobValidationError) -> JobValidationError {
                JobValidationError(path: path, code: "invalid_file", "line \(line): \(error.message)")
            }
            var recipient: Recipient
            do {
                recipient = Recipient(platformID: try Recipient.platformID(JSONNode(.string(row[idColumn].trimmingWhitespace)), platform: platform))
                for (index, column) in columns.enumerated() where index != idColumn {
                    let value = row[index]
                    if value.isEmpty { continue }
                    let node = JSONNode(.string(value), path: JSONPath.root.appending(column))
                    switch column {
                    case "first_name": recipient.firstName = try node.text(maxLength: 256)
                    case "last_name": recipient.lastName = try node.text(maxLength: 256)
                    case "username": recipient.username = try Recipient.username(node)
                    case "locale": recipient.locale = try Recipient.locale(node)
                    case "tags":
                        for tag in value.split(separator: ";") {
                            recipient.tags.append(try Tag.parse(JSONNode(.string(tag.trimmingWhitespace))))
                        }
                    default: recipient.fields[column] = try node.text(maxLength: 1000, minLength: 0)
                    }
                }
            } catch {
                throw fail(error)
            }
            try append(recipient, to: &recipients, seen: &seen, line: line, path: path)
        }
        return recipients
    }

    private static func append(_ recipient: Recipient, to recipients: inout [Recipient], seen: inout Set<String>, line: Int, path: JSONPath) throws(JobValidationError) {
        guard seen.insert(recipient.platformID).inserted else {
            throw JobValidationError(path: path, code: "invalid_file", "line \(line): subscriber \(recipient.platformID) appears twice")
        }
        guard recipients.count < maxRows else {
            throw JobValidationError(path: path, code: "invalid_file", "more than \(maxRows) rows; split the file")
        }
        recipients.append(recipient)
    }
}

/// RFC 4180 rows: quoted fields may hold commas, doubled quotes and newlines.
struct CSVRows {
    private let scalars: [Unicode.Scalar]
    private var index = 0
    /// The line the last row started on (1-based).
    private(set) var line = 0
    private var nextLine = 1

    init(text: String) { scalars = Array(text.unicodeScalars) }

    mutating func next(path: JSONPath) throws(JobValidationError) -> [String]? {
        guard index < scalars.count else { return nil }
        line = nextLine
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var quoted = false
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            if quoted {
                if scalar == "\"" {
                    if index < scalars.count, scalars[index] == "\"" {
                        field.append("\"")
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if scalar == "\n" { nextLine += 1 }
                    field.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty: quoted = true
            case ",":
                fields.append(String(field))
                field = String.UnicodeScalarView()
            case "\r" where index < scalars.count && scalars[index] == "\n":
                continue
            case "\n":
                nextLine += 1
                fields.append(String(field))
                return fields
            default:
                field.append(scalar)
            }
        }
        if quoted { throw JobValidationError(path: path, code: "invalid_file", "line \(line): a quoted CSV field is never closed") }
        fields.append(String(field))
        return fields
    }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
