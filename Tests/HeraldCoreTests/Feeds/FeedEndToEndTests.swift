import Foundation
import GRDB
import HeraldCore
import HeraldModel
import HeraldTesting
import Testing

/// A real daemon polls a loopback web server whose feed changes over time: exactly the right campaigns go out,
/// once, across runs, restarts and 304s; broken and hostile sources are errors on the feed, never a crash or a send.
@Suite(.serialized) struct FeedEndToEndTests {
    static func rss(_ items: [(id: String, title: String)]) -> String {
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Shop blog</title><link>https://blog.example/</link>"
            + items.map { "<item><guid>\($0.id)</guid><title>\($0.title)</title><link>https://blog.example/\($0.id)</link><description>&lt;p&gt;About \($0.title)&lt;/p&gt;</description></item>" }.joined()
            + "</channel></rss>"
    }

    func feedJob(_ name: String, source: String, extra: String = "") -> String {
        #"{"type": "feed", "action": "create", "name": ""# + name + #"", "account": "shop_bot", "source": ""# + source + #"", "frequency": {"every_hours": 6}"# + extra + "}"
    }

    func runJob(_ name: String) -> String { #"{"type": "feed", "action": "run", "name": ""# + name + #""}"# }

    func feedRow(_ harness: DaemonHarness, _ name: String) throws -> Row? {
        try harness.query { try Row.fetchOne($0, sql: "SELECT * FROM feeds WHERE name = ?", arguments: [name]) }
    }

    func feedCampaigns(_ harness: DaemonHarness) throws -> [String] {
        try harness.query { try String.fetchAll($0, sql: "SELECT id FROM jobs WHERE file_name LIKE 'feed %' ORDER BY accepted_at, id") }
    }

    /// Texts of the messages the platform received.
    func sentTexts(_ server: PlatformServer) throws -> [String] {
        try server.requests().filter { $0.path.hasSuffix("/sendMessage") }.compactMap { request in
            (try? JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])?["text"] as? String
        }
    }

    @Test func aChangingFeed_sendsEachNewItemOnce_acrossRunsRestartsAnd304s() async throws {
        let platform = try await PlatformServer.start()
        let web = FeedServer()
        let harness = try DaemonHarness { platform.configure(&$0) }
        defer { harness.remove() }
        try await web.run {
            web.publish(Self.rss([("b", "Bravo"), ("a", "Alpha")]))
            try await harness.run { _ in
                try harness.drop(DaemonHarness.importJob(["111", "222"]), as: "import.json")
                try await eventually { harness.names(in: .done).count == 1 }
                // First run: the back catalogue is remembered, nothing is sent.
                try harness.drop(feedJob("blog", source: web.baseURL + "/feed"), as: "feed.json")
                try await eventually("first run") { try feedRow(harness, "blog")?["last_success_at"] as Int64? != nil }
                #expect(try feedCampaigns(harness).isEmpty)
                #expect(try harness.query { try Int.fetchOne($0, sql: "SELECT count(*) FROM feed_items WHERE state = 'first_run'") } == 2)
                // A new post: one campaign, to both subscribers.
                web.publish(Self.rss([("c", "Charlie"), ("b", "Bravo"), ("a", "Alpha")]))
                try harness.drop(runJob("blog"), as: "run1.json")
                try await eventually("the new item's campaign") { try feedCampaigns(harness).count == 1 }
                try await eventually(timeout: 20, "sent") { try sentTexts(platform).count == 2 }
                // Unchanged: a 304, nothing new.
                try harness.drop(runJob("blog"), as: "run2.json")
                try await eventually("a 304") { web.notModifiedCount == 1 }
                try await eventually("recorded") { harness.names(in: .done).count == 4 }
            }
            // A restart does not poll before the feed's time, and remembers what was sent.
            let requestsBefore = web.requests.count
            web.publish(Self.rss([("e", "Echo"), ("d", "Delta"), ("c", "Charlie"), ("b", "Bravo"), ("a", "Alpha")]))
            try await harness.run { _ in
                try await Task.sleep(for: .milliseconds(300))
                #expect(web.requests.count == requestsBefore)
                try harness.drop(runJob("blog"), as: "run3.json")
                try await eventually("two more campaigns") { try feedCampaigns(harness).count == 3 }
                try await eventually(timeout: 20, "sent") { try sentTexts(platform).count == 6 }
                // Digest mode: the next new items go as one message.
                try harness.drop(#"{"type": "feed", "action": "update", "name": "blog", "mode": "digest"}"#, as: "digest.json")
                try await eventually("the update's run") { web.requests.count == requestsBefore + 2 }
                web.publish(Self.rss([("g", "Golf"), ("f", "Foxtrot"), ("e", "Echo"), ("d", "Delta"), ("c", "Charlie")]))
                try harness.drop(runJob("blog"), as: "run4.json")
                try await eventually("the digest") { try feedCampaigns(harness).count == 4 }
                try await eventually(timeout: 20, "sent") { try sentTexts(platform).count == 8 }
                try await eventually("all completed") { try harness.query { try Int.fetchOne($0, sql: "SELECT count(*) FROM campaigns WHERE state = 'completed'") } == 4 }
            }
        }
        let texts = try sentTexts(platform)
        #expect(texts.filter { $0.hasPrefix("Charlie") }.count == 2)
        #expect(texts.filter { $0.hasPrefix("Delta") }.count == 2)
        #expect(texts.filter { $0.hasPrefix("Echo") }.count == 2)
        #expect(texts.filter { $0.hasPrefix("New on Shop blog:") && $0.contains("• Foxtrot") && $0.contains("• Golf") }.count == 2)
        #expect(!texts.contains { $0.contains("Alpha") || $0.contains("Bravo") })
        // Campaigns are created oldest item first (a run's campaigns then go out side by side).
        #expect(try harness.query { try String.fetchAll($0, sql: "SELECT name FROM campaigns ORDER BY id") } == ["blog: Charlie", "blog: Delta", "blog: Echo", "blog: 2 new"])
        let row = try #require(try feedRow(harness, "blog"))
        #expect(row["items_sent"] as Int == 5)
        #expect(row["campaigns_created"] as Int == 4)
        #expect(row["last_error"] as String? == nil)
        #expect(row["etag"] as String? != nil)
        #expect(try harness.query { try Int.fetchOne($0, sql: "SELECT count(*) FROM subscribers") } == 2)
        #expect(try harness.query { try Int.fetchOne($0, sql: "SELECT count(*) FROM campaigns WHERE state = 'completed'") } == 4)
    }

    @Test func brokenAndHostileSources_areErrorsOnTheFeed_andRedirectsAndGzipWork() async throws {
        let platform = try await PlatformServer.start()
        let web = FeedServer()
        let harness = try DaemonHarness { platform.configure(&$0) }
        defer { harness.remove() }
        let limits = {
            var limits = FeedPoller<ContinuousClock>.Limits()
            limits.timeoutSeconds = 1
            return limits
        }()
        try await web.run {
            web.publish(Self.rss([("a", "Alpha")]))
            try await harness.run(feedLimits: limits) { _ in
                try harness.drop(DaemonHarness.importJob(["111"]), as: "import.json")
                let sources = ["loop": "/loop", "huge": "/huge", "slow": "/slow", "missing": "/missing", "redirected": "/redirect/3", "gzip": "/gzip"]
                for (name, path) in sources { try harness.drop(feedJob(name, source: web.baseURL + path, extra: #", "send_latest_on_first_run": 1"#), as: "\(name).json") }
                try await eventually(timeout: 20, "every feed ran") {
                    try harness.query { try Int.fetchOne($0, sql: "SELECT count(*) FROM feeds WHERE last_run_at IS NOT NULL") } == sources.count
                }
                func error(_ name: String) throws -> String { try feedRow(harness, name)?["last_error"] as String? ?? "" }
                #expect(try error("loop").contains("too many redirects"))
                #expect(try error("huge").contains("too large"))
                #expect(try error("slow").contains("time limit"))
                #expect(try error("missing").contains("HTTP 404"))
                #expect(try error("redirected") == "")
                #expect(try error("gzip") == "")
                // A feed that turns malformed: an error, no send; it heals when the feed does.
                web.publish("<rss version=\"2.0\"><channel><item><title>cut")
                try harness.drop(feedJob("broken", source: web.baseURL + "/feed"), as: "broken.json")
                try await eventually("the broken run") { try error("broken").contains("not well-formed") }
                try await eventually(timeout: 20, "the two working feeds sent their latest item") { try sentTexts(platform).count == 2 }
            }
        }
        #expect(web.requests.filter { $0 == "/loop" }.count <= 6 * 2)
        #expect(try feedCampaigns(harness).count == 2)
    }
}
