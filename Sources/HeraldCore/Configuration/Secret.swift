import Foundation

/// A secret read from a file; it prints as `<redacted>` so that it never reaches a log line or an error.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The secret itself. Use it only where a request is built.
    public let value: String
    /// Where it came from, safe to show.
    public let origin: String

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }

    public init(value: String, origin: String) {
        self.value = value
        self.origin = origin
    }

    /// Reads a secret file: a regular file, not readable by others nor writable by group or others (0600, or 0640 owned
    /// by root:herald, the common pattern), not empty; one trailing newline is dropped.
    public static func read(path: String, what: String) throws(ConfigurationError) -> Secret {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw ConfigurationError("\(what): cannot read secret file \(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw ConfigurationError("\(what): secret file \(path) is not a regular file")
        }
        if info.st_mode & 0o026 != 0 {
            let mode = String(info.st_mode & 0o777, radix: 8)
            let problem = info.st_mode & 0o004 != 0 ? "readable by others" : "writable by group or others"
            throw ConfigurationError("\(what): secret file \(path) is \(problem) (mode \(mode)); run: chmod 640 \(path) (or 600)")
        }
        guard info.st_size <= 64 * 1024, let data = FileManager.default.contents(atPath: path), var text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError("\(what): secret file \(path) is unreadable, larger than 64 KiB or not UTF-8")
        }
        if text.hasSuffix("\r\n") { text.removeLast(2) } else if text.hasSuffix("\n") { text.removeLast() }
        guard !text.isEmpty, !text.contains(where: \.isNewline) else {
            throw ConfigurationError("\(what): secret file \(path) must hold exactly one non-empty line")
        }
        return Secret(value: text, origin: path)
    }
}
