import Foundation
import Glibc
import HeraldTesting
import Testing

/// kill -9 at random moments of feed runs: every new item still becomes exactly one campaign.
@Suite(.serialized) struct FeedCrashTests {
    func sql(_ database: String, _ query: String) async throws -> String {
        try await runCommandOffPool(["sqlite3", database, query], executable: "/usr/bin/env").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func rss(_ count: Int) -> String {
        "<rss version=\"2.0\"><channel><title>Blog</title>"
            + (1...count).reversed().map { "<item><guid>post-\($0)</guid><title>Post \($0)</title><link>https://blog.example/\($0)</link></item>" }.joined()
            + "</channel></rss>"
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "needs sqlite3"))
    func kill9_duringFeedRuns_everyItemBecomesExactlyOneCampaign() async throws {
        let web = FeedServer()
        web.publish(Self.rss(2))
        try await web.run {
            let workspace = try Workspace()
            defer { workspace.remove() }
            let database = workspace.state + "/herald.sqlite"
            var daemon = try DaemonProcess(workspace)
            let create = #"{"type": "feed", "action": "create", "name": "blog", "account": "shop_bot", "source": ""# + web.baseURL + #"/feed", "frequency": {"every_minutes": 5}, "max_items": 50}"#
            try workspace.drop(create, as: "create.json")
            #expect(await eventually(timeout: 20) { (try? await sql(database, "SELECT count(*) FROM feed_items")) == "2" })
            var published = 2
            for round in 1...8 {
                published += 1 + round % 2
                web.publish(Self.rss(published))
                try workspace.drop(#"{"type": "feed", "action": "run", "name": "blog"}"#, as: "run-\(round).json")
                // Killed at any moment of the run: before the fetch, during it, around the transaction.
                let seen = web.requests.count
                _ = await waitUntil(timeout: 5) { web.requests.count > seen }
                usleep(UInt32.random(in: 0...40_000))
                _ = await daemon.stop(signal: SIGKILL)
                daemon = try DaemonProcess(workspace)
            }
            // A run asked for before a kill still happens after the restart, and takes whatever a killed run left.
            #expect(await eventually(timeout: 30) { (try? await sql(database, "SELECT count(*) FROM feed_items")) == "\(published)" })
            _ = await daemon.stop()
            let names = try await sql(database, "SELECT name FROM campaigns ORDER BY name").split(separator: "\n").map(String.init)
            #expect(names == (3...published).map { "blog: Post \($0)" }.sorted(), "\(names)")
            #expect(try await sql(database, "SELECT count(*) FROM feed_items WHERE state = 'sent' AND job_id IS NOT NULL") == "\(published - 2)")
            #expect(try await sql(database, "SELECT items_sent FROM feeds") == "\(published - 2)")
        }
    }
}
