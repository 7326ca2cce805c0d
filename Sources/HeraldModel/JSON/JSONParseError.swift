/// Why a byte sequence is not an acceptable JSON document, with where it went wrong.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The reason, phrased for a person ("unexpected end of input: the file looks truncated").
    public var reason: String
    /// Byte offset of the problem.
    public var offset: Int
    /// 1-based line of the problem.
    public var line: Int
    /// 1-based column (in bytes) of the problem.
    public var column: Int
    /// The JSON path being parsed when the problem was found.
    public var path: JSONPath

    public var description: String { "line \(line), column \(column): \(reason)" }
}
