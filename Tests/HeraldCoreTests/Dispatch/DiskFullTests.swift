import Foundation
import Glibc
import GRDB
import HeraldCore
import HeraldTesting
import Testing

/// A small tmpfs the test fills up: a disk that really is full, spool and database together.
struct Tmpfs {
    let path: String

    init(megabytes: Int) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("herald-full-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard mount("tmpfs", path, "tmpfs", 0, "size=\(megabytes)m") == 0 else {
            let code = errno
            try? FileManager.default.removeItem(atPath: path)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EPERM)
        }
    }

    func unmount() {
        umount2(path, Int32(MNT_DETACH))
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes a filler file until the file system refuses (ENOSPC); returns its path.
    func fill() throws -> String {
        let filler = path + "/filler"
        let fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0x2A, count: 64 * 1024)
        while true {
            let written = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < chunk.count { break }
        }
        // The last partial pages too: one byte at a time until nothing fits.
        var byte: UInt8 = 0x2A
        while write(fd, &byte, 1) == 1 {}
        return filler
    }

    /// Whether this process may mount one (root with CAP_SYS_ADMIN, as in CI's containers).
    static let canMount: Bool = {
        guard let probe = try? Tmpfs(megabytes: 1) else { return false }
        probe.unmount()
        return true
    }()
}

@Suite(.serialized, .enabled(if: Tmpfs.canMount, "mounting a tmpfs needs CAP_SYS_ADMIN")) struct DiskFullTests {
    @Test func fullDisk_pausesCleanly_losesNothing_andResumesByItself() async throws {
        let disk = try Tmpfs(megabytes: 24)
        defer { disk.unmount() }
        let server = try await PlatformServer.start()
        let harness = try DaemonHarness(under: disk.path) { configuration in
            server.configure(&configuration)
            configuration.accounts["shop_bot"]?.rate = 100
        }
        let log = CapturedLog()
        let ids = (1...400).map { "\(5000 + $0)" }
        let importJob = DaemonHarness.importJob(ids)
        func count(_ state: String) throws -> Int { try harness.deliveries(state) }
        // A job written while there was room, moved into incoming/ once there is none (a rename needs no space)
        let waiting = harness.root + "/late.json"
        try Data(#"{"type": "message", "id": "late", "account": "shop_bot", "to": ["5001"], "message": {"modules": [{"type": "text", "text": "Late"}]}}"#.utf8).write(to: URL(fileURLWithPath: waiting))
        try await harness.run(log: log) { parts in
            try harness.drop(importJob, as: "import.json")
            try await eventually { harness.names(in: .done).count == 1 }
            try harness.drop(#"{"type": "campaign", "id": "c", "account": "shop_bot", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "Hello"}]}}"#, as: "c.json")
            try await eventually(timeout: 20, "some sent") { try count("sent") >= 40 }
            let filler = try disk.fill()
            try FileManager.default.moveItem(atPath: waiting, toPath: harness.spool.path(.incoming, "late.json"))
            try await eventually(timeout: 20, "dispatch saw the refusal") { !log.events("dispatch_error").isEmpty }
            try await eventually(timeout: 20, "intake saw the refusal") { !log.events("spool_error").isEmpty }
            // Several retries of each later (the intake loop beats once a second), the journal still holds one
            // line per failing kind of work for the whole outage (the dispatcher's writes, and its housekeeping
            // if a pass fell in it), and the daemon is alive
            let beats = parts.status.beats(.intake)
            try await eventually(timeout: 30, "intake retried") { parts.status.beats(.intake) >= beats + 4 }
            let dispatchErrors = log.events("dispatch_error").map { String($0.message.prefix(40)) }
            #expect(dispatchErrors.filter { $0.hasPrefix("the database refuses writes") }.count == 1, "\(dispatchErrors)")
            #expect(dispatchErrors.count <= 2 && Set(dispatchErrors).count == dispatchErrors.count, "\(dispatchErrors)")
            #expect(log.events("spool_error").count == 1, "\(log.events("spool_error").map(\.message))")
            #expect(parts.status.isAlive(within: .seconds(10)))
            #expect(harness.names(in: .done).count == 2)
            // Room again: everything resumes by itself
            try FileManager.default.removeItem(atPath: filler)
            try await eventually(timeout: 60, "campaign completed") {
                try harness.query { try String.fetchOne($0, sql: "SELECT state FROM campaigns WHERE job_id = 'c'") } == "completed"
            }
            try await eventually(timeout: 30, "the late job accepted") { harness.names(in: .done).count == 3 }
            try await eventually(timeout: 30, "the late message sent") { try count("sent") == 400 + 1 }
            #expect(log.events("dispatch_resumed").count >= 1)
            #expect(log.events("intake_resumed").count == 1)
        }
        #expect(try count("sent") == 400 + 1)
        #expect(try count("failed") == 0)
        #expect(try count("sending") == 0)
        // Every chat got the campaign; any chat asked twice is flagged as a possible duplicate
        let campaignRequests = try server.requests().filter { $0.body.contains("Hello") }
        let perChat = Dictionary(grouping: campaignRequests, by: \.body).mapValues(\.count)
        #expect(perChat.count == 400)
        let flagged = try harness.query { try Int.fetchOne($0, sql: "SELECT count(*) FROM deliveries WHERE possible_duplicate = 1") ?? 0 }
        #expect(perChat.values.filter { $0 > 1 }.count <= flagged)
    }
}
