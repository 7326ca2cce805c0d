import Foundation
import HeraldCore
import HeraldModel

/// Follows a submitted job in the database (read-only) and in failed/, printing its progress.
struct JobFollower {
    let configuration: Configuration
    let timeout: Double

    /// Waits for the job's outcome; true when it was accepted and finished well.
    func follow(_ id: JobID, file: String) async throws -> Bool {
        let started = Date()
        let interactive = isatty(STDOUT_FILENO) != 0
        var lastLine = ""
        let spool = SpoolDirectory(root: configuration.spoolDirectory)
        func show(_ line: String) {
            guard line != lastLine else { return }
            lastLine = line
            if interactive {
                print("\r\u{1B}[2K\(file): \(line)", terminator: "")
                fflush(nil)
            } else {
                print("\(file): \(line)")
            }
        }
        defer { if interactive { print("") } }
        var store: HeraldStore?
        while true {
            if store == nil, FileManager.default.fileExists(atPath: configuration.databasePath) {
                store = try? HeraldStore(readingAt: configuration.databasePath)
            }
            if let status = try? store?.jobStatus(id: id) {
                show(describe(status))
                if status.isFinished { return status.state != "failed" }
                if status.kind != "campaign" && status.kind != "message" { return true }
            } else if let rejection = rejection(of: id, in: spool) {
                show("rejected: \(rejection)")
                return false
            } else {
                show("waiting for the daemon to pick it up…")
            }
            if timeout > 0, Date().timeIntervalSince(started) > timeout {
                show(lastLine + " (gave up after \(Int(timeout)) s)")
                return false
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    func describe(_ status: JobStatus) -> String {
        var line = "\(status.kind) job \(status.id): \(status.campaignState ?? status.state)"
        if let sendAt = status.sendAt, status.campaignState == "scheduled", sendAt > Date() {
            line += " for \(ISO8601DateFormatter().string(from: sendAt))"
        }
        if !status.deliveries.isEmpty {
            line += " — " + status.deliveries.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        }
        if let detail = status.detail, status.campaignState == nil { line += " — \(detail)" }
        return line
    }

    /// The error recorded in failed/ for this job id, if it was rejected.
    func rejection(of id: JobID, in spool: SpoolDirectory) -> String? {
        guard let names = try? spool.list(.failed) else { return nil }
        for name in names where name.hasSuffix(".error.json") {
            guard let bytes = try? SpoolDirectory.readFile(path: spool.path(.failed, name), maxBytes: 1 << 20),
                  case .object(let object) = try? JSONParser().parse(bytes),
                  object["job_id"] == .string(id.rawValue), case .string(let error) = object["error"]
            else { continue }
            return error
        }
        return nil
    }
}
