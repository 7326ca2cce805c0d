/// A webhook body or update Herald cannot read, with what was wrong, for the 400 answer and the log.
public struct InboundParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
