import Foundation
import Logging
import Synchronization

/// Writes log lines to a file, so that the demo's terminal shows only its commentary.
struct FileLogHandler: LogHandler {
    private static let files = Mutex<[String: FileHandle]>([:])
    let path: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    init(path: String) {
        self.path = path
        Self.files.withLock { files in
            if files[path] == nil {
                _ = FileManager.default.createFile(atPath: path, contents: nil)
                files[path] = FileHandle(forWritingAtPath: path)
            }
        }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let fields = merged.isEmpty ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let line = "\(Date()) \(event.level) \(event.message)\(fields)\n"
        Self.files.withLock { files in files[path]?.write(Data(line.utf8)) }
    }
}
