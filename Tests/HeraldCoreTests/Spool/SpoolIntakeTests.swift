import Foundation
import Glibc
import GRDB
import HeraldCore
import HeraldModel
import Testing

@Suite struct SpoolIntakeTests {
    @Test func intake_whenSubmittedAtomically_acceptsAndFilesInDone() async throws {
        let harness = try DaemonHarness()
        defer { harness.remove() }
        try await harness.run { _ in
            // Given the daemon is ready, when a job is submitted through tmp/ → incoming/
            try harness.spool.submit(Array(try example("telegram-campaign.json").utf8), name: "campaign.json")
            // Then it is recorded and its file moves to done/ under a receipt
            try await eventually("accepted") { harness.names(in: .done).count == 1 }
        }
        #expect(harness.names(in: .done).first?.hasSuffix("~campaign.json") == true)
        #expect(harness.names(in: .incoming).isEmpty && harness.names(in: .active).isEmpty && harness.names(in: .tmp).isEmpty)
        // Recorded as the file said, under the receipt its done/ name carries, with its campaign and stored spec
        let receipt = try #require(harness.names(in: .done).first.flatMap(SpoolReceipt.split)?.receipt)
        try harness.query { db in
            let job = try #require(try Row.fetchOne(db, sql: "SELECT kind, receipt, body FROM jobs WHERE id = 'spring-sale-2026-telegram'"))
            #expect(job["kind"] as String == "campaign")
            #expect(job["receipt"] as String == receipt)
            #expect(job["body"] as String == (try example("telegram-campaign.json")))
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM campaigns WHERE job_id = 'spring-sale-2026-telegram' AND spec IS NOT NULL") == 1)
        }
    }

    @Test func intake_whenCopiedSlowly_waitsForCloseBeforeReading() async throws {
        let harness = try DaemonHarness()
        defer { harness.remove() }
        try await harness.run { parts in
            // Given a writer that opens a file in incoming/ and writes half of it
            let text = try example("subscribers-import.json")
            let path = harness.spool.path(.incoming, "slow.json")
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            try #require(fd >= 0)
            let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            let bytes = Array(text.utf8)
            try handle.write(contentsOf: bytes[..<(bytes.count / 2)])
            // When the intake loop has passed several times (a rescan a second) while it is still open
            let passes = parts.status.beats(.intake)
            try await eventually("four intake passes") { parts.status.beats(.intake) >= passes + 4 }
            #expect(harness.names(in: .failed).isEmpty, "a half-written file was read")
            #expect(harness.names(in: .incoming) == ["slow.json"])
            // Then the rest is written and closed, and only now is it taken, whole
            try handle.write(contentsOf: bytes[(bytes.count / 2)...])
            try handle.close()
            try await eventually("accepted") { harness.names(in: .done).count == 1 }
        }
        #expect(harness.names(in: .failed).isEmpty)
    }

    @Test func intake_whenEventMissed_rescanFindsFile() async throws {
        let harness = try DaemonHarness()
        defer { harness.remove() }
        try await harness.run { _ in
            // Given a file that arrives by link(2): inotify reports neither IN_MOVED_TO nor IN_CLOSE_WRITE
            let outside = harness.root + "/outside.json"
            try Data(minimalCampaign.utf8).write(to: URL(fileURLWithPath: outside))
            #expect(link(outside, harness.spool.path(.incoming, "linked.json")) == 0)
            // Then the timer rescan picks it up
            try await eventually("rescanned") { harness.names(in: .done).count == 1 }
        }
    }

    @Test func intake_whenFilesWaitAtStart_acceptsThemInArrivalOrder() async throws {
        let harness = try DaemonHarness()
        defer { harness.remove() }
        // Given a campaign and then its pause dropped while the daemon was down (the pause sorts first by name)
        try harness.drop(try example("telegram-campaign.json"), as: "b-campaign.json")
        let old = Date().addingTimeInterval(-60)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: harness.spool.path(.incoming, "b-campaign.json"))
        try harness.drop(try example("pause.json"), as: "a-pause.json")
        try FileManager.default.setAttributes([.modificationDate: old.addingTimeInterval(5)], ofItemAtPath: harness.spool.path(.incoming, "a-pause.json"))
        try await harness.run { _ in
            try await eventually("both accepted") { harness.names(in: .done).count == 2 }
        }
        // Then the pause found its campaign
        #expect(harness.names(in: .failed).isEmpty)
        let state = try harness.query { try String.fetchOne($0, sql: "SELECT state FROM campaigns") }
        #expect(state == "paused")
    }

    @Test func intake_whenFilesWaitWithTheSameTime_acceptsThemInNameOrder() async throws {
        let harness = try DaemonHarness()
        defer { harness.remove() }
        // Given ten presentations of one account, written within one tick of the kernel's clock: the same time
        let time = Date().addingTimeInterval(-60)
        for index in 0..<10 {
            let job = #"{"type": "automation", "account": "shop_bot", "presentation": {"description": "version \#(index)"}}"#
            try harness.drop(job, as: "presentation-\(index).json")
            try FileManager.default.setAttributes([.modificationDate: time], ofItemAtPath: harness.spool.path(.incoming, "presentation-\(index).json"))
        }
        try await harness.run { _ in
            try await eventually("all accepted") { harness.names(in: .done).count == 10 }
        }
        // Then they were taken by name, so the last one named is in force (by the directory's order: 1 chance in 10)
        let value = try harness.query { try String.fetchOne($0, sql: "SELECT value FROM automations WHERE account = 'shop_bot' AND setting = 'presentation'") }
        #expect(value?.contains("version 9") == true, "\(value ?? "none")")
    }

    @Test func intake_whenHiddenOrNotJSON_leavesFileAlone() async throws {
        let harness = try DaemonHarness()
        defer { harness.remove() }
        try await harness.run { parts in
            try harness.drop(minimalCampaign, as: ".hidden.json")
            try harness.drop(minimalCampaign, as: "notes.txt")
            try harness.drop(minimalCampaign, as: "campaign.json.part")
            try harness.drop(minimalCampaign, as: "real.json")
            try await eventually("real accepted") { harness.names(in: .done).count == 1 }
            // Several more passes of the loop (a rescan a second) leave the others where they are
            let passes = parts.status.beats(.intake)
            try await eventually("three intake passes") { parts.status.beats(.intake) >= passes + 3 }
        }
        #expect(harness.names(in: .incoming) == [".hidden.json", "campaign.json.part", "notes.txt"].filter { !$0.hasPrefix(".") } )
        #expect(FileManager.default.fileExists(atPath: harness.spool.path(.incoming, ".hidden.json")))
    }

    @Test func intake_whenIDRepeats_rejectsTheDuplicateSayingSo() async throws {
        let harness = try DaemonHarness()
        defer { harness.remove() }
        try await harness.run { _ in
            try harness.spool.submit(Array(try example("telegram-campaign.json").utf8), name: "first.json")
            try await eventually("first") { harness.names(in: .done).count == 1 }
            try harness.spool.submit(Array(try example("telegram-campaign.json").utf8), name: "second.json")
            try await eventually("second rejected") { harness.rejection(of: "second.json") != nil }
        }
        let error = try #require(harness.rejection(of: "second.json"))
        #expect(error["code"] == "duplicate_id")
        #expect(error["error"]?.contains("already accepted (from first.json)") == true)
        #expect(error["job_id"] == "spring-sale-2026-telegram")
        #expect(try harness.jobCount() == 1)
    }

    @Test func intake_whenAJobWithAReadableIDIsInvalid_namesTheJobInItsRejection() async throws {
        let harness = try DaemonHarness()
        defer { harness.remove() }
        try await harness.run { _ in
            try harness.drop(#"{"type": "campaign", "id": "bad-audience-1", "account": "shop_bot", "message": {"text": "x"}}"#, as: "bad.json")
            try harness.drop(#"{"type": "campaign", "id": "not a valid id!", "account": "shop_bot"}"#, as: "badid.json")
            try await eventually("both rejected") { harness.rejection(of: "bad.json") != nil && harness.rejection(of: "badid.json") != nil }
        }
        let error = try #require(harness.rejection(of: "bad.json"))
        #expect(error["job_id"] == "bad-audience-1")
        #expect(error["code"] == "missing_field", "\(error)")
        // An id that is itself invalid names nothing
        #expect(harness.rejection(of: "badid.json")?["job_id"] == nil)
    }

    @Test func intake_whenSameNameDroppedTwice_keepsBoth() async throws {
        let harness = try DaemonHarness()
        defer { harness.remove() }
        try await harness.run { _ in
            // A cron job dropping the same file name every day must not collide in done/
            for _ in 0..<3 {
                try harness.drop(minimalCampaign, as: "daily.json")
                try await eventually("taken") { harness.names(in: .incoming).isEmpty }
            }
            try await eventually("all accepted") { harness.names(in: .done).count == 3 }
        }
        #expect(try harness.jobCount() == 3)
    }
}
