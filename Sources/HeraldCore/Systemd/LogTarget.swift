import Glibc
import Logging

/// Where log lines go: the journal (structured) or standard error (human-readable).
public enum LogTarget: String, Sendable {
    case journal, console

    /// The journal's native socket: without it, journal entries would be dropped silently.
    public static let journalSocket = "/run/systemd/journal/socket"

    /// `HERALD_LOG_TARGET` if set (an unknown value is an error); otherwise `detect`. A journal that has no socket
    /// falls back to the console, with a warning to log once logging is up.
    public static func resolve(environment: [String: String], journalSocket: String = journalSocket) throws(LogTargetError) -> (target: LogTarget, warning: String?) {
        var target = detect(environment: environment)
        if let forced = environment["HERALD_LOG_TARGET"] {
            guard let value = LogTarget(rawValue: forced) else { throw LogTargetError(value: forced) }
            target = value
        }
        var info = stat()
        if target == .journal, stat(journalSocket, &info) != 0 || (info.st_mode & S_IFMT) != S_IFSOCK {
            let why = environment["HERALD_LOG_TARGET"] != nil ? "HERALD_LOG_TARGET=journal" : "JOURNAL_STREAM points stderr at the journal"
            return (.console, "\(why), but no journal listens at \(journalSocket); logging to standard error instead")
        }
        return (target, nil)
    }

    /// The journal when systemd connected stderr to it (`JOURNAL_STREAM` names stderr's device and inode), the
    /// console otherwise.
    public static func detect(environment: [String: String]) -> LogTarget {
        guard let stream = environment["JOURNAL_STREAM"] else { return .console }
        var info = stat()
        guard fstat(STDERR_FILENO, &info) == 0 else { return .console }
        return stream == "\(info.st_dev):\(info.st_ino)" ? .journal : .console
    }

    /// Installs the matching swift-log backend for the whole process.
    public func bootstrap(level: Logger.Level = .info) {
        switch self {
        case .journal:
            LoggingSystem.bootstrap { _ in
                var handler = JournalLogHandler()
                handler.logLevel = level
                return handler
            }
        case .console:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}

/// `HERALD_LOG_TARGET` holds a value Herald does not know.
public struct LogTargetError: Error, Sendable, CustomStringConvertible {
    public var value: String
    public var description: String { "HERALD_LOG_TARGET=\(value) is not a log target; use journal or console" }
}
