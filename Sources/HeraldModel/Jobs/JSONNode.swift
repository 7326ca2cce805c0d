/// A JSON value together with its path, with typed accessors that fail with a `JobValidationError`.
public struct JSONNode: Sendable {
    public let value: JSONValue
    public let path: JSONPath

    public init(_ value: JSONValue, path: JSONPath = .root) {
        self.value = value
        self.path = path
    }

    /// An error at this node's path.
    public func error(_ code: String, _ message: String) -> JobValidationError {
        JobValidationError(path: path, code: code, message)
    }

    public func typeMismatch(_ expected: String) -> JobValidationError {
        error("wrong_type", "must be \(expected), not \(value.kindDescription)")
    }

    /// The value as a string.
    public func string() throws(JobValidationError) -> String {
        guard case .string(let text) = value else { throw typeMismatch("a string") }
        return text
    }

    /// A string that is not empty after trimming, within a length in UTF-16 units (the platforms' unit).
    public func text(maxLength: Int, minLength: Int = 1) throws(JobValidationError) -> String {
        let text = try string()
        if minLength > 0, text.allSatisfy(\.isWhitespace) { throw error("empty", "must not be empty") }
        let length = text.utf16.count
        if length > maxLength { throw error("too_long", "is \(length) characters long; the limit is \(maxLength)") }
        return text
    }

    /// One of a fixed set of strings.
    public func oneOf(_ allowed: [String]) throws(JobValidationError) -> String {
        let text = try string()
        guard allowed.contains(text) else {
            let list = allowed.map { "\"\($0)\"" }.joined(separator: ", ")
            throw error("invalid_value", "\(JSONPath.quote(text)) is not one of \(list)\(Suggestion.hint(for: text, in: allowed))")
        }
        return text
    }

    public func bool() throws(JobValidationError) -> Bool {
        guard case .bool(let flag) = value else { throw typeMismatch("true or false") }
        return flag
    }

    /// A whole number within a range.
    public func integer(in range: ClosedRange<Int64>) throws(JobValidationError) -> Int64 {
        guard case .number(let literal) = value else { throw typeMismatch("a whole number") }
        guard let number = Int64(literal) else {
            if let double = Double(literal), double.rounded() == double, abs(double) < 1e15 {
                return try checked(Int64(double), in: range)
            }
            throw error("wrong_type", "must be a whole number between \(range.lowerBound) and \(range.upperBound), not \(literal)")
        }
        return try checked(number, in: range)
    }

    private func checked(_ number: Int64, in range: ClosedRange<Int64>) throws(JobValidationError) -> Int64 {
        guard range.contains(number) else {
            throw error("out_of_range", "must be between \(range.lowerBound) and \(range.upperBound), not \(number)")
        }
        return number
    }

    /// A finite number within a range.
    public func number(in range: ClosedRange<Double>) throws(JobValidationError) -> Double {
        guard case .number(let literal) = value else { throw typeMismatch("a number") }
        guard let number = Double(literal), number.isFinite, range.contains(number) else {
            throw error("out_of_range", "must be a number between \(range.lowerBound) and \(range.upperBound), not \(literal)")
        }
        return number
    }

    /// The elements of an array, each with its path, with a bound on the count.
    public func array(minCount: Int = 0, maxCount: Int) throws(JobValidationError) -> [JSONNode] {
        guard case .array(let elements) = value else { throw typeMismatch("an array") }
        if elements.count < minCount {
            throw error(elements.isEmpty ? "empty" : "too_few", minCount == 1 ? "must not be empty" : "must have at least \(minCount) entries, not \(elements.count)")
        }
        if elements.count > maxCount { throw error("too_many", "has \(elements.count) entries; the limit is \(maxCount)") }
        return elements.enumerated().map { JSONNode($0.element, path: path.appending($0.offset)) }
    }

    /// An array of distinct strings, each checked by `each`.
    public func stringArray(maxCount: Int, each: (JSONNode) throws(JobValidationError) -> String) throws(JobValidationError) -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for element in try array(maxCount: maxCount) {
            let text = try each(element)
            if seen.insert(text).inserted { result.append(text) }
        }
        return result
    }

    /// Reads the value as an object whose fields must all be consumed.
    public func object() throws(JobValidationError) -> ObjectReader {
        guard case .object(let object) = value else { throw typeMismatch("an object") }
        return ObjectReader(object: object, path: path)
    }

    public var isNull: Bool { value == .null }
}

/// Reads an object's fields by name and rejects any field it was never asked for.
public struct ObjectReader: Sendable {
    let object: JSONObject
    let path: JSONPath
    private var known: [String] = []

    init(object: JSONObject, path: JSONPath) {
        self.object = object
        self.path = path
    }

    /// A field that must be present (and not null); `forms` says what it may look like, for the error.
    public mutating func required(_ key: String, forms: String? = nil) throws(JobValidationError) -> JSONNode {
        known.append(key)
        guard let value = object[key], value != .null else {
            let stray = object.keys.filter { !$0.isEmpty && Suggestion.closest(to: $0, in: [key]) != nil && !known.contains($0) }
            let hint = stray.first.map { " (found \(JSONPath.quote($0)): did you mean \"\(key)\"?)" } ?? forms.map { ": \($0)" } ?? ""
            throw JobValidationError(path: path.appending(key), code: "missing_field", "is required\(hint)")
        }
        return JSONNode(value, path: path.appending(key))
    }

    /// A field that may be absent; null counts as absent.
    public mutating func optional(_ key: String) -> JSONNode? {
        known.append(key)
        guard let value = object[key], value != .null else { return nil }
        return JSONNode(value, path: path.appending(key))
    }

    /// Whether the field is present and explicitly null (used to clear settings).
    public mutating func isExplicitNull(_ key: String) -> Bool {
        known.append(key)
        return object[key] == .null
    }

    /// Marks fields as acceptable without reading them.
    public mutating func allow(_ keys: String...) { known.append(contentsOf: keys) }

    /// Exactly one of the keys must be present; returns which.
    public mutating func exactlyOne(of keys: [String]) throws(JobValidationError) -> String {
        known.append(contentsOf: keys)
        let present = keys.filter { object[$0] != nil && object[$0] != .null }
        guard present.count == 1 else {
            let list = keys.map { "\"\($0)\"" }.joined(separator: ", ")
            if present.isEmpty {
                let stray = object.keys.compactMap { Suggestion.closest(to: $0, in: keys) }.first
                let hint = stray.map { " (did you mean \"\($0)\"?)" } ?? ""
                throw JobValidationError(path: path, code: "missing_field", "needs one of \(list)\(hint)")
            }
            throw JobValidationError(path: path, code: "conflicting_fields", "has \(present.map { "\"\($0)\"" }.joined(separator: " and ")): use only one of \(list)")
        }
        return present[0]
    }

    /// Fails on the first field that no reader asked for, suggesting the nearest known name.
    public func finish() throws(JobValidationError) {
        for key in object.keys where !known.contains(key) {
            throw JobValidationError(
                path: path.appending(key), code: "unknown_field",
                "unknown field \(JSONPath.quote(key))\(Suggestion.hint(for: key, in: known))"
            )
        }
    }

    public var keys: [String] { object.keys }
}
