import Foundation
import Glibc
import HeraldCore
import Testing

@Suite struct HostileFileTests {
    @Test func intake_whenFilesAreHostile_rejectsEachWithItsReasonAndKeepsRunning() async throws {
        let harness = try DaemonHarness { $0.limits.maxJobBytes = 4096; $0.limits.maxJSONDepth = 16 }
        defer { harness.remove() }
        try await harness.run { _ in
            // Given hostile files of every kind the spool itself must catch
            let incoming = harness.spool.path(.incoming)
            try harness.drop("", as: "empty.json")
            try harness.drop(String(repeating: " ", count: 5000), as: "oversize.json")
            try harness.drop(String(repeating: "[", count: 20) + String(repeating: "]", count: 20), as: "deep.json")
            try harness.drop("{\"type\": \"campaign\", \"acc", as: "truncated.json")
            try harness.drop(#"{"type": "pause", "job": "x"} trailing"#, as: "trailing.json")
            try Data([0x7F, 0x45, 0x4C, 0x46, 0x00, 0x01]).write(to: URL(fileURLWithPath: incoming + "/binary.json"))
            try Data([0x7B, 0x22, 0x74, 0x79, 0x70, 0x65, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D]).write(to: URL(fileURLWithPath: incoming + "/latin1.json"))
            try harness.drop(#"{"type": "pause", "type": "cancel", "job": "x"}"#, as: "dupkey.json")
            try harness.drop(#"{"type": "cancel", "job": "no-such-job"}"#, as: "unknown-target.json")
            // A valid job outside the spool, behind a link: it must be neither recorded nor touched
            let outside = harness.root + "/outside.json"
            try Data(minimalCampaign.utf8).write(to: URL(fileURLWithPath: outside))
            #expect(symlink(outside, incoming + "/symlink.json") == 0)
            try harness.drop(#"{"type": "pause", "job": "x"}"#, as: "target-of-link.json", in: .tmp)
            #expect(symlink(harness.spool.path(.tmp, "target-of-link.json"), incoming + "/relative-link.json") == 0)
            #expect(mkfifo(incoming + "/fifo.json", 0o644) == 0)
            try FileManager.default.createDirectory(atPath: incoming + "/directory.json", withIntermediateDirectories: false)
            try harness.drop(minimalCampaign, as: "bad\u{1B}name.json")
            // The rescan finds the FIFO, the links and the directory (they send no close-write event)
            try await eventually(timeout: 15, "all rejected") { harness.names(in: .failed).count == 2 * 14 }
            // And the daemon still accepts a good file afterwards
            try harness.drop(minimalCampaign, as: "good.json")
            try await eventually { harness.names(in: .done).count == 1 }
        }
        let expected: [String: String] = [
            "empty.json": "empty", "oversize.json": "too_large", "deep.json": "malformed_json", "truncated.json": "malformed_json",
            "trailing.json": "malformed_json", "binary.json": "malformed_json", "latin1.json": "malformed_json",
            "dupkey.json": "malformed_json", "unknown-target.json": "unknown_job", "symlink.json": "not_regular_file",
            "relative-link.json": "not_regular_file", "fifo.json": "not_regular_file", "directory.json": "not_regular_file",
            "bad\u{1B}name.json": "bad_file_name",
        ]
        for (name, code) in expected {
            let error = harness.rejection(of: name)
            #expect(error?["code"] == code, "\(name.debugDescription): \(error ?? [:])")
            #expect(error?["error"]?.isEmpty == false)
        }
        #expect(harness.rejection(of: "oversize.json")?["error"]?.contains("the limit is 4096 bytes") == true)
        #expect(harness.rejection(of: "deep.json")?["error"]?.contains("deeper than 16") == true)
        #expect(harness.rejection(of: "symlink.json")?["error"]?.contains("symbolic link") == true)
        #expect(harness.rejection(of: "dupkey.json")?["error"]?.contains("duplicate key \"type\"") == true)
        // The link's target was neither recorded nor touched: the only job is good.json
        #expect(try String(contentsOfFile: harness.root + "/outside.json", encoding: .utf8) == minimalCampaign)
        #expect(try harness.jobCount() == 1)
        #expect(harness.names(in: .tmp) == ["target-of-link.json"])
    }
}
