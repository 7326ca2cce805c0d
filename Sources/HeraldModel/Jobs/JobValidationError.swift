/// Why a job was rejected, pointing at the field to fix: `message.modules[2].url: must be an https URL`.
public struct JobValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field at fault.
    public var path: JSONPath
    /// What is wrong with it, phrased so a person can act on it.
    public var message: String
    /// A short stable code for scripts (`unknown_field`, `too_long`, `invalid_url` …).
    public var code: String

    public init(path: JSONPath, code: String, _ message: String) {
        self.path = path
        self.code = code
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
