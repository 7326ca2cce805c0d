import Foundation
import HeraldCore
import HeraldModel
import HeraldTesting

/// Inbound: signed Messenger webhook events stored per second (answered 200, so durable) and processed per
/// second, and click redirects per second; wrk drives all three, and wrk against `/healthz` on the same
/// server is the reference (what Hummingbird answers with no work behind it).
enum InboundBenchmark {
    static let eventsPerBody = 10
    static let bodies = 2_000
    static let secret = "bench-app-secret"

    static func run(runs: Int) async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else { throw BenchError("the inbound scenario needs wrk (apt-get install wrk)") }
        var reference: [Double] = [], ingested: [Double] = [], processed: [Double] = [], clicks: [Double] = [], clickReference: [Double] = []
        for run in 0..<runs {
            let temporary = temporaryConfiguration()
            var configuration = temporary.configuration
            defer { temporary.cleanup() }
            configuration.http.requestsPerSecondPerClient = 1e9
            configuration.accounts["shop_page"]?.appSecret = Secret(value: secret, origin: "bench")
            try await InProcessDaemon.run(configuration) { parts in
                while parts.http.port == nil { try await Task.sleep(for: .milliseconds(5)) }
                let base = "http://127.0.0.1:\(parts.http.port!)"
                reference.append(try wrk(base + "/healthz", script: nil).rate)
                let script = try webhookScript(run: run)
                defer { try? FileManager.default.removeItem(atPath: script) }
                let started = monotonic()
                let posts = try wrk(base + "/webhooks/messenger", script: script)
                guard posts.errors == 0 else { throw BenchError("\(posts.errors) webhook POSTs were not answered 200") }
                ingested.append(posts.rate * Double(eventsPerBody))
                while try await parts.store.inboundBacklog() > 0 { try await Task.sleep(for: .milliseconds(20)) }
                processed.append(Double(posts.requests * eventsPerBody) / (monotonic() - started))
                let clickScript = try await self.clickScript(parts.store, stateDirectory: configuration.stateDirectory)
                defer { try? FileManager.default.removeItem(atPath: clickScript) }
                let redirects = try wrk(base + "/c/x", script: clickScript)
                guard redirects.errors == 0 else { throw BenchError("\(redirects.errors) click requests were not answered 302") }
                clicks.append(redirects.rate)
                clickReference.append(try wrk(base + "/healthz", script: nil).rate)
            }
        }
        let referenceSummary = Summary(values: reference)
        emit(Summary(values: ingested).json("webhook_ingest", unit: "events/s", extra: [
            "events_per_post": eventsPerBody, "wrk_healthz_requests_per_s_median": referenceSummary.median.rounded(),
            "ratio_posts_to_healthz": (Summary(values: ingested).median / Double(eventsPerBody) / referenceSummary.median * 1000).rounded() / 1000,
            "target": "≥ 10,000 events/s",
        ]))
        emit(Summary(values: processed).json("webhook_processed", unit: "events/s", extra: ["note": "from the first POST until every stored body was processed"]))
        let clickSummary = Summary(values: clicks), clickReferenceSummary = Summary(values: clickReference)
        emit(clickSummary.json("click_redirects", unit: "requests/s", extra: [
            "wrk_healthz_requests_per_s_median": clickReferenceSummary.median.rounded(),
            "ratio_to_healthz": (clickSummary.median / clickReferenceSummary.median * 1000).rounded() / 1000,
        ]))
    }

    /// wrk, one thread and 64 connections for 5 s: requests per second, requests in all, and the answers that
    /// were errors.
    static func wrk(_ url: String, script: String?) throws -> (rate: Double, requests: Int, errors: Int) {
        let output = try capture("/usr/bin/wrk", ["-t1", "-c64", "-d5s"] + (script.map { ["-s", $0] } ?? []) + [url])
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("Requests/sec:") }),
              let rate = Double(line.split(separator: " ").last ?? "")
        else { throw BenchError("cannot read wrk's output: \(output)") }
        let errors = output.split(separator: "\n").first { $0.contains("Non-2xx or 3xx responses:") }.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
        let requests = output.split(separator: "\n").first { $0.contains(" requests in ") }.flatMap { Int($0.split(separator: " ").first ?? "") } ?? 0
        return (rate, requests, errors)
    }

    /// A wrk script cycling through distinct signed bodies of `eventsPerBody` text messages each.
    static func webhookScript(run: Int) throws -> String {
        var lua = "local bodies, signatures = {}, {}\n"
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for body in 0..<bodies {
            let events = (0..<eventsPerBody).map { event in
                #"{"sender":{"id":"\#(1_000_000 + body * eventsPerBody + event)"},"recipient":{"id":"100000000000001"},"timestamp":\#(now),"message":{"mid":"m_\#(run)_\#(body)_\#(event)","text":"hello there"}}"#
            }
            let text = #"{"object":"page","entry":[{"id":"100000000000001","time":\#(now),"messaging":["# + events.joined(separator: ",") + "]}]}"
            lua += "bodies[\(body + 1)] = [==[\(text)]==]\nsignatures[\(body + 1)] = \"\(WebhookSignature.header(for: Array(text.utf8), secret: secret))\"\n"
        }
        lua += """
            local i = 0
            request = function()
              i = i % #bodies + 1
              return wrk.format("POST", "/webhooks/messenger", {["Content-Type"] = "application/json", ["X-Hub-Signature-256"] = signatures[i]}, bodies[i])
            end
            """
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("herald-inbound-\(UUID().uuidString).lua").path
        try lua.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A campaign with one link to 1,000 subscribers, and a wrk script cycling through their tracked links.
    static func clickScript(_ store: HeraldStore, stateDirectory: String) async throws -> String {
        let content = MessageContent(modules: [.text(TemplateText(unchecked: "Sale"), buttons: [.url(title: TemplateText(unchecked: "Shop"), url: try WebURL.parse(JSONNode(.string("https://shop.example.com/sale"))))])])
        let recipients = (0..<1_000).map { Recipient(platformID: String(5_000_000 + $0)) }
        let created = try await store.enqueueMessage(
            account: "shop_bot", spec: CampaignSpec(platform: .telegram, content: content, options: SendOptions(), audience: .listed), to: recipients,
            jobID: JobID(validating: "bench-clicks")!, origin: "bench", now: Date()
        )
        let token = ClickToken(key: try Secret.read(path: stateDirectory + "/click.key", what: "bench"))
        let ids = try await store.subscriberIDs(account: "shop_bot", platformIDs: recipients.map(\.platformID))
        var lua = "local paths = {}\n"
        for (index, id) in ids.enumerated() {
            lua += "paths[\(index + 1)] = \"/c/\(token.token(for: ClickTarget(campaignID: created.campaignID, subscriberID: id, linkIndex: 0)))\"\n"
        }
        lua += """
            local i = 0
            local agent = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36"
            request = function()
              i = i % #paths + 1
              return wrk.format("GET", paths[i], {["User-Agent"] = agent})
            end
            """
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("herald-clicks-\(UUID().uuidString).lua").path
        try lua.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
