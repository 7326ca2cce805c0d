import Foundation
import HeraldCore
import HeraldModel
import HeraldTesting

/// The ledger alone, on a file with `synchronous=FULL`: what loading, marking and recording cost per delivery
/// in CPU time, when nothing else runs, in the batch sizes the dispatcher uses. The reference for the dispatcher's share.
enum LedgerBenchmark {
    static func run(runs: Int, recipients: Int) async throws {
        let size = ProcessInfo.processInfo.environment["HERALD_BENCH_BATCH"].flatMap(Int.init) ?? 64
        var load: [Double] = [], mark: [Double] = [], record: [Double] = []
        for _ in 0..<runs {
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("herald-ledger-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: root) }
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            let store = try HeraldStore(path: root + "/herald.sqlite")
            let decoder = JobDecoder(accounts: AccountDirectory(["bench": .telegram]), now: Date())
            func accept(_ text: String, _ receipt: String) throws { _ = try store.accept(text: text, receipt: receipt, decoder: decoder) }
            for first in stride(from: 0, to: recipients, by: 10_000) {
                let ids = (first..<min(recipients, first + 10_000)).map { "\"\(1_000_000 + $0)\"" }.joined(separator: ",")
                try accept(#"{"type": "subscribers", "account": "bench", "action": "import", "subscribers": ["# + ids + "]}", "import-\(first)")
            }
            try accept(#"{"type": "campaign", "id": "c", "account": "bench", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "Hi {{first_name}}"}]}}"#, "campaign")
            let start = Date().addingTimeInterval(1)
            _ = try store.startDueCampaigns(now: start)
            let campaign = try store.runningCampaigns()[0]
            var expanded = false
            while !expanded { expanded = try await store.expandAudience(campaign, audience: .all, batch: 5000, now: start) }
            // Load everything in windows of 1,024, as the machine does
            var t = processCPUSeconds()
            var rows: [PendingDelivery] = []
            var after: Int64 = 0
            while true {
                let batch = try await store.loadDue(campaign, audience: .all, expanded: true, after: after, limit: 1024, now: start)
                rows += batch.rows
                guard let last = batch.rows.last else { break }
                after = last.id
            }
            load.append((processCPUSeconds() - t) / Double(rows.count) * 1e6)
            // Mark and record in batches of `size`
            t = processCPUSeconds()
            for chunk in stride(from: 0, to: rows.count, by: size) {
                _ = try await store.markSending(rows[chunk..<min(rows.count, chunk + size)].map(\.id), now: start)
            }
            mark.append((processCPUSeconds() - t) / Double(rows.count) * 1e6)
            t = processCPUSeconds()
            for chunk in stride(from: 0, to: rows.count, by: size) {
                try await store.record(rows[chunk..<min(rows.count, chunk + size)].map {
                    DeliveryResult(deliveryID: $0.id, campaignID: $0.campaignID, subscriberID: $0.subscriberID, account: "bench", state: .sent, messageID: "\($0.id)", partsSent: 1)
                }, now: start)
            }
            record.append((processCPUSeconds() - t) / Double(rows.count) * 1e6)
        }
        for (name, values) in [("ledger_load", load), ("ledger_mark_sending", mark), ("ledger_record", record)] {
            emit(Summary(values: values).json(name, unit: "µs of CPU per delivery", extra: ["recipients": recipients, "batch": name == "ledger_load" ? 1024 : size]))
        }
    }
}
