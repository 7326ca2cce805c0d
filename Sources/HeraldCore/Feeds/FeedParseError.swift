/// Why a source is not a feed Herald can read: recorded on the automation and logged, never sent.
public struct FeedParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }

    public init(_ reason: String) { self.reason = reason }
}
