/// A parsed JSON document, keeping object key order and number literals exactly as written.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's literal text, so that no precision is lost before a field decides its type.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The JSON type name used in error messages ("a string", "an object").
    public var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// A JSON object: its keys in document order and a lookup table.
public struct JSONObject: Sendable, Equatable {
    /// Keys in the order they appear in the document.
    public private(set) var keys: [String] = []
    private var values: [String: JSONValue] = [:]

    public init() {}

    public init(_ pairs: [(String, JSONValue)]) {
        for (key, value) in pairs { _ = insert(key, value) }
    }

    /// Adds a key; returns false (and changes nothing) when the key is already present.
    @discardableResult
    public mutating func insert(_ key: String, _ value: JSONValue) -> Bool {
        // Not updateValue: that would replace the first value while reporting that nothing changed.
        guard values[key] == nil else { return false }
        values[key] = value
        keys.append(key)
        return true
    }

    public subscript(key: String) -> JSONValue? { values[key] }

    /// Sets a key's value, keeping its position if present and appending it otherwise.
    public mutating func set(_ key: String, _ value: JSONValue) {
        if values.updateValue(value, forKey: key) == nil { keys.append(key) }
    }

    public var count: Int { keys.count }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// Keys in literal order; a repeated key keeps its first value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self.init(elements) }
}
