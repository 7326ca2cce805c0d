import Foundation
import GRDB
import HeraldCore
import HeraldModel
import Testing

/// The CLI's read-only store beside a daemon: it reads a whole schema or says why it cannot.
@Suite final class StoreReaderTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("herald-reader-\(UUID().uuidString)").path
    var path: String { root + "/herald.sqlite" }

    init() throws { try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(atPath: root) }

    @Test func reader_ofAWholeSchema_reads() throws {
        _ = try HeraldStore(path: path)
        let reader = try HeraldStore(readingAt: path, upgradeWait: .zero)
        #expect(try reader.jobStatus(id: JobID(unchecked: "none")) == nil)
    }

    /// A database one schema step behind (a daemon that has not started since an upgrade, or is upgrading it now):
    /// after the wait, the reader says so instead of failing on a missing column.
    @Test func reader_ofAnOlderSchema_waits_thenSaysToStartTheDaemon() throws {
        _ = try HeraldStore(path: path)
        let queue = try DatabaseQueue(path: path)
        let steps = try queue.write { db in
            let steps = try Int.fetchOne(db, sql: "SELECT count(*) FROM grdb_migrations") ?? 0
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE rowid = (SELECT max(rowid) FROM grdb_migrations)")
            return steps
        }
        try queue.close()
        let started = ContinuousClock.now
        #expect {
            _ = try HeraldStore(readingAt: self.path, upgradeWait: .milliseconds(200))
        } throws: { error in
            "\(error)" == "the database at \(self.path) has \(steps - 1) of the \(steps) schema steps this Herald reads: start the daemon (herald run), which upgrades it, then try again"
        }
        #expect(ContinuousClock.now - started >= .milliseconds(200))
    }

    @Test func reader_ofAnotherSQLiteFile_saysItIsNoHeraldDatabase() throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "CREATE TABLE notes (text TEXT)") }
        try queue.close()
        #expect {
            _ = try HeraldStore(readingAt: self.path, upgradeWait: .zero)
        } throws: { error in
            "\(error)".hasSuffix("is not a Herald database yet (no schema): if a daemon is starting on it, try again in a moment")
        }
    }
}
