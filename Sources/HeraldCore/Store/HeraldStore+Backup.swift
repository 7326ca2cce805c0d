import Foundation
import GRDB

extension HeraldStore {
    /// Copies the database to `path` with SQLite's online backup, beside a running daemon, into a new file
    /// readable by its owner and group only; returns what `PRAGMA integrity_check` says of the copy.
    public func backup(to path: String) throws -> String {
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw SystemCallError(call: "open", target: path, errno: errno) }
        close(fd)
        let copy = try DatabaseQueue(path: path)
        try database.backup(to: copy)
        let verdict = try copy.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
        try copy.close()
        return verdict
    }
}
