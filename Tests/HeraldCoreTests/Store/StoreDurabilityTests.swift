import Foundation
import Glibc
import HeraldCore
import Testing

@Suite struct StoreDurabilityTests {
    @Test func store_personalData_isNotReadableByOthers_whateverTheUmask() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("herald-mode-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let old = umask(0o022)
        defer { umask(old) }
        let store = try HeraldStore(path: directory + "/herald.sqlite")
        _ = try store.counts()
        for suffix in ["", "-wal", "-shm"] {
            var info = stat()
            #expect(stat(directory + "/herald.sqlite" + suffix, &info) == 0, "\(suffix)")
            #expect(info.st_mode & 0o777 == 0o640, "herald.sqlite\(suffix): \(String(info.st_mode & 0o777, radix: 8))")
        }
        // A database left 0644 by an older Herald is closed to others when opened
        let older = directory + "/older.sqlite"
        _ = FileManager.default.createFile(atPath: older, contents: nil, attributes: [.posixPermissions: 0o644])
        _ = try HeraldStore(path: older)
        var info = stat()
        #expect(stat(older, &info) == 0 && info.st_mode & 0o777 == 0o640)
    }

    @Test func spool_folders_areMadeForItsWriterGroup() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("herald-spool-mode-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let old = umask(0o022)
        defer { umask(old) }
        try SpoolDirectory(root: root + "/spool").prepare()
        func mode(_ path: String) -> String {
            var info = stat()
            return stat(path, &info) == 0 ? String(info.st_mode & 0o7777, radix: 8) : "missing"
        }
        #expect(mode(root + "/spool") == "2750")
        for folder in ["tmp", "incoming", "data"] { #expect(mode(root + "/spool/" + folder) == "2770", "\(folder)") }
        for folder in ["active", "done", "failed"] { #expect(mode(root + "/spool/" + folder) == "2750", "\(folder)") }
        // An existing spool keeps the modes its owner gave it
        chmod(root + "/spool/incoming", 0o2775)
        try SpoolDirectory(root: root + "/spool").prepare()
        #expect(mode(root + "/spool/incoming") == "2775")
    }

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
