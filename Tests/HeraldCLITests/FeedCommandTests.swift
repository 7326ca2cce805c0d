import Foundation
import Glibc
import HeraldTesting
import Testing

/// `herald feeds`, `herald feed run` and `herald feed preview`, as an operator runs them beside a daemon.
struct FeedCommandTests {
    static let rss = """
        <?xml version="1.0"?><rss version="2.0"><channel><title>Shop blog</title><link>https://blog.example/</link>
        <item><guid>2</guid><title>Second post</title><link>https://blog.example/2</link><description>&lt;b&gt;Bold&lt;/b&gt; news</description></item>
        <item><guid>1</guid><title>First post</title><link>https://blog.example/1</link></item>
        </channel></rss>
        """

    @Test func feedsList_run_andItems_beside_aRunningDaemon() async throws {
        let web = FeedServer()
        web.publish(Self.rss)
        try await web.run {
            let workspace = try Workspace()
            defer { workspace.remove() }
            let none = try await runCommandOffPool(["feeds", "--config", workspace.config])
            #expect(none.status == 1)
            #expect(none.stderr.contains("no database at"), "\(none.stderr)")
            let daemon = try DaemonProcess(workspace)
            defer { daemon.signal(SIGKILL) }
            #expect(await waitUntil(timeout: 20) { FileManager.default.fileExists(atPath: workspace.state + "/herald.sqlite") })
            let empty = try await runCommandOffPool(["feeds", "--config", workspace.config])
            #expect(empty.status == 0, "\(empty.stderr)")
            #expect(empty.stdout.hasPrefix("No feed automations."), "\(empty.stdout)")
            let job = #"{"type": "feed", "action": "create", "name": "blog", "account": "shop_bot", "source": ""# + web.baseURL + #"/feed", "frequency": {"every_hours": 1}}"#
            try workspace.drop(job, as: "feed.json")
            #expect(await waitUntil(timeout: 20) { web.requests.count == 1 })
            var list = try await runCommandOffPool(["feeds", "--config", workspace.config])
            for _ in 0..<200 where !list.stdout.contains("ok") {
                try await Task.sleep(for: .milliseconds(50))
                list = try await runCommandOffPool(["feeds", "--config", workspace.config])
            }
            #expect(list.stdout.contains("FEED  ACCOUNT   SOURCE"), "\(list.stdout)")
            #expect(list.stdout.contains("blog  shop_bot  \(web.baseURL)/feed"), "\(list.stdout)")
            let run = try await runCommandOffPool(["feed", "run", "blog", "--config", workspace.config])
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            #expect(run.stdout.contains("feed run blog: submitted as job feed-run-"), "\(run.stdout)")
            #expect(await waitUntil(timeout: 10) { web.notModifiedCount == 1 })
            let unknown = try await runCommandOffPool(["feed", "run", "nope", "--config", workspace.config])
            #expect(unknown.status != 0)
            #expect((unknown.stdout + unknown.stderr).contains("no feed named \"nope\""), "\(unknown.stdout)\(unknown.stderr)")
            let items = try await runCommandOffPool(["feeds", "--items", "blog", "--config", workspace.config])
            #expect(items.stdout.contains("remembered (first run)  -         Second post"), "\(items.stdout)")
            let json = try await runCommandOffPool(["feeds", "--format", "json", "--config", workspace.config])
            let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
            #expect(parsed?.first?["name"] as? String == "blog")
            #expect(parsed?.first?["last_error"] is NSNull)
            #expect((parsed?.first?["settings"] as? [String: Any])?["source"] as? String == web.baseURL + "/feed")
        }
    }

    @Test func preview_showsItemsAndMessages_andRefusesWhatIsNoFeed() async throws {
        let web = FeedServer()
        web.publish(Self.rss)
        try await web.run {
            let workspace = try Workspace()
            defer { workspace.remove() }
            let url = try await runCommandOffPool(["feed", "preview", web.baseURL + "/redirect/2", "--config", workspace.config, "--platform", "messenger", "--layout", "card"])
            #expect(url.status == 0, "\(url.stderr)")
            #expect(url.stdout.hasPrefix("RSS 2.0 feed \"Shop blog\" at \(web.baseURL)/feed: 2 items."), "\(url.stdout)")
            #expect(url.stdout.contains("card 1: Second post"), "\(url.stdout)")
            #expect(url.stdout.contains("Bold news"), "\(url.stdout)")
            #expect(!url.stdout.contains("<b>"))
            let corpus = packageRoot.appendingPathComponent("Tests/FeedCorpus").path
            let local = try await runCommandOffPool(["feed", "preview", corpus + "/atom.xml", "--config", workspace.config, "--digest"])
            #expect(local.status == 0, "\(local.stderr)")
            #expect(local.stdout.contains("New on Atom <Blog>:"), "\(local.stdout)")
            for (source, message) in [
                (corpus + "/billion-laughs.xml", "declares entities"), (corpus + "/html-page.html", "an HTML page, not a feed"), (corpus + "/truncated.xml", "not well-formed"),
                (workspace.root + "/missing.xml", "cannot read"), (web.baseURL + "/missing", "answered HTTP 404"), (web.baseURL + "/loop", "too many redirects"),
            ] {
                let result = try await runCommandOffPool(["feed", "preview", source, "--config", workspace.config])
                #expect(result.status == 1, "\(source): \(result.stdout)")
                #expect(result.stderr.contains(message), "\(source): \(result.stderr)")
            }
            let noFeed = try await runCommandOffPool(["feed", "preview", corpus + "/atom.xml", "--feed", "nope", "--config", workspace.config])
            #expect(noFeed.status == 1)
            #expect(noFeed.stderr.contains("no database at"), "\(noFeed.stderr)")
        }
    }
}
