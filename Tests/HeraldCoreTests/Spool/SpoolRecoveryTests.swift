import Foundation
import GRDB
import HeraldCore
import HeraldModel
import Testing

@Suite struct SpoolRecoveryTests {
    @Test func recovery_whenCrashAfterCommitBeforeMove_neverAcceptsTwice() async throws {
        let harness = try DaemonHarness()
        defer { harness.remove() }
        // Given a job without an id was accepted…
        try await harness.run { _ in
            try harness.drop(minimalCampaign, as: "no-id.json")
            try await eventually { harness.names(in: .done).count == 1 }
        }
        // …and the crash came between the commit and the rename to done/ (the file is still in active/)
        let name = try #require(harness.names(in: .done).first)
        #expect(rename(harness.spool.path(.done, name), harness.spool.path(.active, name)) == 0)
        // When the daemon restarts
        try await harness.run { _ in
            try await eventually { harness.names(in: .active).isEmpty }
        }
        // Then the file is filed in done/ and the job exists once
        #expect(harness.names(in: .done) == [name])
        #expect(try harness.jobCount() == 1)
    }

    @Test func recovery_whenCrashAfterClaimBeforeCommit_processesAgain() async throws {
        let harness = try DaemonHarness()
        defer { harness.remove() }
        // Given claimed files whose transaction never committed, and one moved into active/ by hand
        let receipt = SpoolReceipt.make()
        try harness.drop(minimalCampaign, as: SpoolReceipt.fileName(receipt: receipt, original: "claimed.json"), in: .active)
        try harness.drop(try example("subscribers-import.json"), as: "by-hand.json", in: .active)
        try harness.drop(#"{"type": "campaign"}"#, as: SpoolReceipt.fileName(receipt: SpoolReceipt.make(), original: "broken.json"), in: .active)
        // When the daemon starts
        try await harness.run { _ in
            try await eventually { harness.names(in: .active).isEmpty && harness.names(in: .done).count == 2 }
        }
        // Then each is processed once: the good ones accepted, the bad one rejected with its reason
        #expect(try harness.jobCount() == 2)
        #expect(harness.names(in: .done).contains(SpoolReceipt.fileName(receipt: receipt, original: "claimed.json")))
        #expect(harness.rejection(of: "broken.json")?["path"] == "account")
        let generated = try harness.query { try String.fetchOne($0, sql: "SELECT id FROM jobs WHERE receipt = ?", arguments: [receipt]) }
        #expect(generated == "j-" + receipt)
    }

    @Test func recovery_whenDatabaseBusy_waitsAndRecords() async throws {
        let harness = try DaemonHarness()
        defer { harness.remove() }
        try await harness.run { parts in
            // Given another writer holding the database lock…
            let blocker = try harness.writableQueue()
            try await blocker.write { db in
                try db.execute(sql: "INSERT INTO automations (account, setting, value, job_id, updated_at) VALUES ('x', 'y', '{}', 'z', 0)")
                try harness.drop(minimalCampaign, as: "waiting.json")
                // …while a file arrives and is claimed (the intake then waits on the lock)
                let deadline = Date().addingTimeInterval(10)
                while harness.names(in: .active).isEmpty && Date() < deadline { usleep(10_000) }
                #expect(!harness.names(in: .active).isEmpty)
            }
            // Then the intake waits for the lock and records it
            try await eventually(timeout: 20) { harness.names(in: .done).count == 1 }
        }
        #expect(try harness.jobCount() == 1)
        #expect(harness.names(in: .failed).isEmpty)
    }
}

@Suite struct SpoolReceiptTests {
    @Test func receipt_roundTripsThroughFileNames() throws {
        let date = Date(timeIntervalSince1970: 1_795_601_234.567)
        var generator = SystemRandomNumberGenerator()
        let receipt = SpoolReceipt.make(at: date, using: &generator)
        #expect(receipt.hasPrefix("20261125T"))
        let split = try #require(SpoolReceipt.split(SpoolReceipt.fileName(receipt: receipt, original: "a~b.json")))
        #expect(split.receipt == receipt && split.original == "a~b.json")
        #expect(abs(try #require(SpoolReceipt.date(of: receipt)).timeIntervalSince(date)) < 0.001)
        #expect(SpoolReceipt.split("plain.json") == nil)
        #expect(SpoolReceipt.split("not-a-receipt~x.json") == nil)
    }
}
