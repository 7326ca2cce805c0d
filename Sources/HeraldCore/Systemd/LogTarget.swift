import Glibc
import Logging

/// Where log lines go: the journal (structured) or standard error (human-readable).
public enum LogTarget: String, Sendable {
    case journal, console

    /// `HERALD_LOG_TARGET` if set; otherwise the journal when systemd connected stderr to it (`JOURNAL_STREAM`
    /// names stderr's device and inode), the console otherwise.
    public static func detect(environment: [String: String]) -> LogTarget {
        if let forced = environment["HERALD_LOG_TARGET"].flatMap(LogTarget.init(rawValue:)) { return forced }
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
