import Foundation
import HeraldCore
import HeraldModel

/// Follows a submitted job in the database (read-only) and in failed/, printing its progress.
struct JobFollower {
    let configuration: Configuration
    let timeout: Double

    /// Waits for the job's outcome; true when it was accepted and finished well. `name` is its file in incoming/.
    func follow(_ id: JobID, file: String, name: String? = nil) async throws -> Bool {
        let started = Date()
        let interactive = isatty(STDOUT_FILENO) != 0
        var lastLine = ""
        let spool = SpoolDirectory(root: configuration.spoolDirectory)
        func show(_ line: String) {
            guard line != lastLine else { return }
            lastLine = line
            if interactive {
                print("\r\u{1B}[2K\(file): \(line)", terminator: "")
            } else {
                print("\(file): \(line)")
            }
            // Piped output is block-buffered: a follower that prints nothing until it exits is no follower.
            fflush(nil)
        }
        defer { if interactive { print("") } }
        var store: HeraldStore?
        var unreadable: String?
        while true {
            if store == nil {
                var info = stat()
                if stat(configuration.databasePath, &info) != 0 {
                    // No database yet, or a state directory this user may not enter (a writer outside the herald group).
                    unreadable = errno == ENOENT ? nil : String(cString: strerror(errno))
                } else {
                    do {
                        store = try HeraldStore(readingAt: configuration.databasePath)
                        _ = try store?.jobStatus(id: id)
                        unreadable = nil
                    } catch {
                        store = nil
                        unreadable = "\(error)"
                    }
                }
            }
            if let status = try? store?.jobStatus(id: id) {
                show(describe(status))
                if status.isFinished { return status.state != "failed" }
                if status.kind != "campaign" && status.kind != "message" { return true }
            } else if let rejection = rejection(of: id, in: spool) {
                show("rejected: \(rejection)")
                return false
            } else if let unreadable, let name, accepted(id, name: name, in: spool) {
                show("accepted by the daemon; its progress is in \(configuration.databasePath), which cannot be read here (\(unreadable)). "
                    + "Follow it with: journalctl -u herald HERALD_JOB_ID=\(id)")
                return true
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

    /// Whether job `id`, submitted as `name`, has been accepted: moved to done/ as `<receipt>~<name>`, its id inside
    /// (an earlier file of the same name may be there too).
    func accepted(_ id: JobID, name: String, in spool: SpoolDirectory) -> Bool {
        ((try? spool.list(.done)) ?? []).contains { done in
            guard done.hasSuffix("~" + name),
                  let bytes = try? SpoolDirectory.readFile(path: spool.path(.done, done), maxBytes: configuration.limits.maxJobBytes),
                  let document = try? JSONParser().parse(bytes)
            else { return false }
            return JobID.readable(in: document) == id
        }
    }

    func describe(_ status: JobStatus) -> String {
        var line = "\(status.kind) job \(status.id): \(status.campaignState ?? status.state)"
        if let sendAt = status.sendAt, status.campaignState == "scheduled", sendAt > Date() {
            line += " for \(ISO8601DateFormatter().string(from: sendAt))"
        }
        if !status.deliveries.isEmpty {
            line += " — " + status.deliveries.sorted { $0.key < $1.key }.map { state, count in
                guard state == DeliveryState.failed.rawValue, !status.failures.isEmpty else { return "\(count) \(state)" }
                let reasons = status.failures.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.value) \($0.key)" }
                return "\(count) failed (\(reasons.joined(separator: ", ")))"
            }.joined(separator: ", ")
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
