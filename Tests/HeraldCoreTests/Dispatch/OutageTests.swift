import Foundation
import GRDB
import HeraldCore
import HeraldTesting
import Testing

/// The platform's API goes down behind its proxy mid-campaign: the account backs off as a whole, probes,
/// and resumes by itself, with nothing failed and every delivery sent once.
@Suite(.serialized) struct OutageTests {
    @Test func outage_backsTheAccountOff_probes_andResumes_withNothingFailed() async throws {
        let server = try await PlatformServer.start()
        let harness = try DaemonHarness { configuration in
            server.configure(&configuration)
            configuration.accounts["shop_bot"]?.rate = 20
            configuration.dispatch.outageProbeMaxSeconds = 2
        }
        defer { harness.remove() }
        let ids = (1...30).map { "\(3000 + $0)" }
        let importJob = DaemonHarness.importJob(ids)
        func count(_ state: String) throws -> Int { try harness.deliveries(state) }
        try await harness.run { parts in
            try harness.drop(importJob, as: "import.json")
            try await eventually { harness.names(in: .done).count == 1 }
            // Down until told otherwise, from the campaign's first call on
            try server.outage(seconds: 600)
            try harness.drop(#"{"type": "campaign", "id": "c", "account": "shop_bot", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "Hello"}]}}"#, as: "c.json")
            try await eventually(timeout: 20, "five refused calls") { try server.refusedDuringOutage() >= 5 }
            let fifth = Date()
            try await eventually(timeout: 20, "the account shown unreachable") { parts.status.line.contains("shop_bot (unreachable)") }
            // At 20/s, four more calls would take 200 ms; as probes (1–2 s apart with a 2 s cap) they take seconds
            try await eventually(timeout: 20, "four more refused calls") { try server.refusedDuringOutage() >= 9 }
            #expect(Date().timeIntervalSince(fifth) >= 2.5)
            try server.outage(seconds: 0)
            let lifted = Date()
            try await eventually(timeout: 60, "campaign completed") {
                try harness.query { try String.fetchOne($0, sql: "SELECT state FROM campaigns WHERE job_id = 'c'") } == "completed"
            }
            // The next probe finds the platform back, and what failed meanwhile goes at once, at the account's rate
            #expect(Date().timeIntervalSince(lifted) < 6)
            try await eventually(timeout: 5, "the account shown reachable") { !parts.status.line.contains("unreachable") }
        }
        // The run of failures that showed the outage, and a few probes: not one call per delivery
        let refused = try server.refusedDuringOutage()
        #expect(refused <= 10, "\(refused) calls during the outage")
        #expect(try count("sent") == 30)
        #expect(try count("failed") == 0)
        // Every chat got the message exactly once
        let requests = try server.requests()
        #expect(requests.count == 30)
        #expect(Set(requests.map(\.body)).count == 30)
    }
}
