/// A job's identity and idempotency key: given in the file as `"id"`, or generated at submission.
public struct JobID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let rawValue: String
    public var description: String { rawValue }

    public init(unchecked rawValue: String) { self.rawValue = rawValue }

    public static func < (lhs: JobID, rhs: JobID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// 1–128 characters of `A–Z a–z 0–9 . _ : -`, starting with a letter or digit: safe in file names and journal fields.
    static func parse(_ node: JSONNode) throws(JobValidationError) -> JobID {
        let text = try node.string()
        guard let id = JobID(validating: text) else {
            throw node.error("invalid_id", "must be 1–128 characters of A–Z, a–z, 0–9, '.', '_', ':' or '-', starting with a letter or digit")
        }
        return id
    }

    public init?(validating text: String) {
        let bytes = Array(text.utf8)
        guard (1...128).contains(bytes.count), JobID.isAlphanumeric(bytes[0]) else { return nil }
        guard bytes.allSatisfy({ JobID.isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "-") }) else { return nil }
        self.rawValue = text
    }

    /// The valid `"id"` of a job document that may be invalid otherwise, so that its rejection can name it.
    public static func readable(in document: JSONValue) -> JobID? {
        guard case .object(let object) = document, case .string(let text) = object["id"] else { return nil }
        return JobID(validating: text)
    }

    public static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
    }
}
