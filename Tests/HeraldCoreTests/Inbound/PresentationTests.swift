import Foundation
import HeraldCore
import HeraldModel
import HeraldTesting
import Testing

/// An `automation` job's presentation reaches the platforms once, and again only for what changed.
@Suite struct PresentationTests {
    static func job(_ account: String, _ presentation: String) -> String {
        #"{"type": "automation", "account": ""# + account + #"", "presentation": "# + presentation + "}"
    }

    @Test func presentation_isSetOnce_andOnlyWhatChangedIsSetAgain() async throws {
        let server = try await PlatformServer.start()
        let harness = try DaemonHarness { server.configure(&$0) }
        defer { harness.remove() }
        func calls(_ suffix: String) throws -> [String] { try server.requests().filter { $0.path.hasSuffix(suffix) }.map(\.body) }
        let log = CapturedLog()
        // What the daemon said about presentations and jobs, for a failure to show.
        func story() -> String {
            log.all.filter { ($0.event ?? "").hasPrefix("presentation") || $0.event == "accepted" }.map { "\($0.event ?? ""): \($0.message)" }.joined(separator: "\n")
        }
        try await harness.run(log: log) { _ in
            try harness.drop(Self.job("shop_bot", #"{"description": "Deals every Friday", "short_description": "Shop deals"}"#), as: "1.json")
            try harness.drop(Self.job("shop_page", #"{"greeting": "Hi {{user_first_name}}!", "get_started_payload": "GET_STARTED"}"#), as: "2.json")
            // Up to a minute: a call that fails on a loaded machine is tried again 30 s later.
            try await eventually(timeout: 60, "all three set") {
                try calls("/setMyDescription").count == 1 && calls("/setMyShortDescription").count == 1 && calls("/me/messenger_profile").count == 1
            }
            #expect(try calls("/me/messenger_profile") == [canonical(#"{"get_started":{"payload":"GET_STARTED"},"greeting":[{"locale":"default","text":"Hi {{user_first_name}}!"}]}"#)])
            // The same text again: nothing to call. A new description: that call only. One job after the other: two
            // files dropped at once may be taken in either order, and the later job accepted is the one in force.
            try harness.drop(Self.job("shop_bot", #"{"description": "Deals every Friday", "short_description": "Shop deals"}"#), as: "3.json")
            try await eventually(timeout: 20, "third job done\n\(story())") { harness.names(in: .done).count == 3 }
            try harness.drop(Self.job("shop_bot", #"{"description": "Deals every Saturday", "short_description": "Shop deals"}"#), as: "4.json")
            try await eventually(timeout: 60, "new description set\n\(story())") { try calls("/setMyDescription").count == 2 }
            try await eventually(timeout: 20) { try harness.query { try Int.fetchOne($0, sql: "SELECT count(*) FROM presentation_applied WHERE value LIKE '%Saturday%'") } == 1 }
        }
        #expect(try calls("/setMyShortDescription").count == 1)
        #expect(try calls("/setMyDescription").last == canonical(#"{"description":"Deals every Saturday"}"#))
    }
}
