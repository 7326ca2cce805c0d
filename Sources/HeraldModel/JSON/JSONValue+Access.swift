/// Lenient reading of documents Herald does not own (webhooks, API answers): unknown fields are fine, a
/// missing or mistyped one reads as nil.
extension JSONValue {
    /// The member `key` of an object; nil for a missing key or a non-object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let object) = self else { return nil }
        return object[key]
    }

    public var stringValue: String? {
        guard case .string(let text) = self else { return nil }
        return text
    }

    /// A whole number, or a string of digits (ids arrive both ways).
    public var int64Value: Int64? {
        switch self {
        case .number(let literal): Int64(literal)
        case .string(let text): Int64(text)
        default: nil
        }
    }

    /// An id as text: a string as is, a whole number's literal.
    public var idText: String? {
        switch self {
        case .string(let text): text.isEmpty ? nil : text
        case .number(let literal): Int64(literal).map(String.init)
        default: nil
        }
    }

    public var boolValue: Bool? {
        guard case .bool(let flag) = self else { return nil }
        return flag
    }

    public var arrayValue: [JSONValue]? {
        guard case .array(let elements) = self else { return nil }
        return elements
    }
}
