import Foundation
import Glibc
import HeraldCore
import HeraldTesting
import Testing

/// `GET /metrics` in Prometheus text format, from a daemon that has done a bit of everything.
@Suite(.serialized) struct MetricsTests {
    /// The value of the sample `name{labels…}`, whatever the labels' order.
    static func sample(_ text: String, _ name: String, _ labels: [String: String] = [:]) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
            let head = line.prefix { $0 != " " }
            guard head.prefix(while: { $0 != "{" }) == name, labels.allSatisfy({ head.contains("\($0.key)=\"\($0.value)\"") }) else { continue }
            return Double(line.split(separator: " ").last ?? "")
        }
        return nil
    }

    @Test func metrics_countJobsDeliveriesWaitsEventsAndClicks_andReadGaugesAtScrapeTime() async throws {
        let server = try await PlatformServer.start()
        let workspace = try Workspace.withBot(on: server)
        defer { workspace.remove() }
        let daemon = try DaemonProcess(workspace)
        defer { daemon.signal(SIGKILL) }
        let port = try #require(await daemon.httpPort())
        let client = try CurlTransport(maxConnections: 2, timeout: .seconds(10))
        func get(_ path: String, agent: String = "curl/8") async -> (status: Int, body: String) {
            let answer = await client.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)\(path)", headers: ["User-Agent: \(agent)"]))
            guard case .response(let status, let body) = answer else { return (0, "") }
            return (status, String(decoding: body, as: UTF8.self))
        }
        func sql(_ query: String) async throws -> String {
            try await runCommandOffPool(["sqlite3", workspace.state + "/herald.sqlite", query], executable: "/usr/bin/env").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        // Given a campaign to three subscribers: one blocked the bot, one meets a 429 first
        try server.script(recipient: "702", status: 403, body: #"{"ok": false, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}"#)
        try server.script(recipient: "703", status: 429, body: #"{"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 1", "parameters": {"retry_after": 1}}"#)
        try workspace.drop(#"{"type": "subscribers", "account": "shop_bot", "action": "import", "subscribers": ["701", "702", "703"]}"#, as: "import.json")
        #expect(await waitUntil { workspace.names("done").count == 1 })
        try workspace.drop(#"{"type": "campaign", "id": "metered", "account": "shop_bot", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "Hi", "buttons": [{"type": "url", "title": "Go", "url": "https://shop.example/go"}]}]}}"#, as: "metered.json")
        try workspace.drop("{not json", as: "broken.json")
        #expect(await eventually(timeout: 30) { (try? await sql("SELECT state FROM campaigns WHERE job_id = 'metered'")) == "completed" })
        // …a person writes to the bot, and one tracked link is followed by a person and fetched by a preview bot
        try server.pushUpdates(#"[{"update_id": 9001, "message": {"message_id": 5, "date": 1800000000, "chat": {"id": 701, "type": "private"}, "from": {"id": 701, "is_bot": false, "first_name": "Ada"}, "text": "hello"}}]"#)
        #expect(await eventually(timeout: 20) { (try? await sql("SELECT count(*) FROM inbound WHERE processed_at IS NOT NULL")) == "1" })
        let link = try #require(try server.requests().compactMap { $0.body.firstMatch(of: #/"url":"https://herald\.example\.com(/c/[A-Za-z0-9_-]+)"/#)?.output.1 }.first)
        #expect(await get(String(link), agent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36").status == 302)
        #expect(await get(String(link), agent: "TelegramBot (like TwitterBot)").status == 302)

        // When Prometheus scrapes
        let scrape = await get("/metrics")
        await client.shutdown()
        _ = await daemon.stop()
        #expect(scrape.status == 200)
        let text = scrape.body
        // Then every figure is there, counted where it happened
        #expect(Self.sample(text, "herald_jobs_accepted_total", ["kind": "subscribers"]) == 1, "\(text)")
        #expect(Self.sample(text, "herald_jobs_accepted_total", ["kind": "campaign"]) == 1)
        #expect(Self.sample(text, "herald_jobs_rejected_total", ["code": "malformed_json"]) == 1)
        #expect(Self.sample(text, "herald_deliveries_total", ["account": "shop_bot", "outcome": "sent", "reason": "ok"]) == 2)
        #expect(Self.sample(text, "herald_deliveries_total", ["account": "shop_bot", "outcome": "failed", "reason": "blocked"]) == 1)
        #expect(Self.sample(text, "herald_deliveries_total", ["account": "shop_bot", "outcome": "pending", "reason": "rate_limited"]) ?? 0 >= 1)
        #expect(Self.sample(text, "herald_rate_limited_total", ["account": "shop_bot"]) == 1)
        #expect(Self.sample(text, "herald_rate_limit_wait_seconds_total", ["account": "shop_bot"]) == 1)
        #expect(Self.sample(text, "herald_send_duration_seconds_count", ["account": "shop_bot"]) == 4)
        #expect(Self.sample(text, "herald_send_duration_seconds_bucket", ["account": "shop_bot", "le": "+Inf"]) == 4)
        #expect(Self.sample(text, "herald_inbound_events_total", ["platform": "telegram", "kind": "message"]) == 1)
        #expect(Self.sample(text, "herald_clicks_total", ["agent": "human"]) == 1)
        #expect(Self.sample(text, "herald_clicks_total", ["agent": "preview_bot"]) == 1)
        // And the gauges read at the scrape: jobs by state, nothing open, the rejected file in failed/
        #expect(Self.sample(text, "herald_jobs", ["state": "completed"]) == 2)
        #expect(Self.sample(text, "herald_jobs", ["state": "running"]) == 0)
        #expect(Self.sample(text, "herald_deliveries_open", ["state": "uncertain"]) == 0)
        #expect(Self.sample(text, "herald_spool_files", ["folder": "incoming"]) == 0)
        #expect(Self.sample(text, "herald_spool_files", ["folder": "failed"]) == 1)
        #expect(text.contains("# TYPE herald_deliveries_total counter"))
        #expect(text.contains("# TYPE herald_send_duration_seconds histogram"))
    }

    @Test func metrics_canBeTurnedOff() async throws {
        let workspace = try Workspace(accounts: "")
        defer { workspace.remove() }
        try workspace.writeConfig(accounts: "", top: "")
        var text = try String(contentsOfFile: workspace.config, encoding: .utf8)
        text = text.replacingOccurrences(of: "[http]\n", with: "[http]\nmetrics = false\n")
        try text.write(toFile: workspace.config, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(workspace)
        defer { daemon.signal(SIGKILL) }
        let port = try #require(await daemon.httpPort())
        let client = try CurlTransport(maxConnections: 1, timeout: .seconds(10))
        let answer = await client.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/metrics"))
        await client.shutdown()
        _ = await daemon.stop()
        guard case .response(let status, _) = answer else { Issue.record("no answer: \(answer)"); return }
        #expect(status == 404)
    }
}
