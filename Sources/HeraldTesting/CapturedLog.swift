import Logging
import Synchronization

/// Keeps every log entry in memory, for tests that assert what the daemon said (and how often).
public final class CapturedLog: Sendable {
    /// One entry: its level, message and `event` metadata.
    public struct Entry: Sendable {
        public var level: Logger.Level
        public var message: String
        public var event: String?
    }

    private let entries = Mutex<[Entry]>([])

    public init() {}

    /// A logger writing here, at `level` and above.
    public func logger(level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: "herald-captured") { _ in Handler(log: self) }
        logger.logLevel = level
        return logger
    }

    public var all: [Entry] { entries.withLock { $0 } }

    /// Entries with this `event`.
    public func events(_ event: String) -> [Entry] { all.filter { $0.event == event } }

    func append(_ entry: Entry) { entries.withLock { $0.append(entry) } }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            log.append(Entry(level: event.level, message: "\(event.message)", event: merged["event"].map { "\($0)" }))
        }
    }
}
