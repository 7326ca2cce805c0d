import Foundation
import HeraldCore
import Testing

@Suite struct StoreDurabilityTests {
    @Test func store_onDisk_commitsWithSynchronousFullOnEveryConnection() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("herald-sync-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        // Given a fresh database (the pool switches it to WAL, which resets synchronous on its writer)
        let store = try HeraldStore(path: path)
        // Then the writer and the readers all run with FULL (2), not NORMAL (1)
        let modes = try store.synchronousModes()
        #expect(modes.writer == 2)
        #expect(modes.reader == 2)
        // And the same holds when an existing WAL database is opened again
        let reopened = try HeraldStore(path: path)
        #expect(try reopened.synchronousModes().writer == 2)
    }
}
