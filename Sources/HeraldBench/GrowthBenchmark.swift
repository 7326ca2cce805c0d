import Foundation
import HeraldCore
import HeraldModel
import HeraldTesting

/// Growth tools: popup form submissions accepted per second (each validated and stored under its token before
/// the answer), the popup's script served per second, and wrk against `/healthz` on the same server as the
/// reference. Every submission comes from another forwarded client, so the per-client limit stays out of it.
enum GrowthBenchmark {
    static func run(runs: Int) async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else { throw BenchError("the growth scenario needs wrk (apt-get install wrk)") }
        var reference: [Double] = [], submissions: [Double] = [], scripts: [Double] = []
        for _ in 0..<runs {
            let temporary = temporaryConfiguration()
            var configuration = temporary.configuration
            defer { temporary.cleanup() }
            configuration.http.requestsPerSecondPerClient = 1e9
            configuration.accounts["shop_bot"]?.publicName = "shop_test_bot"
            try await InProcessDaemon.run(configuration) { parts in
                while parts.http.port == nil { try await Task.sleep(for: .milliseconds(5)) }
                let base = "http://127.0.0.1:\(parts.http.port!)"
                let form = #"{"type": "growth_tool", "action": "create", "name": "bench-popup", "kind": "popup_form", "accounts": ["shop_bot"], "fields": [{"type": "first_name", "label": "First name", "required": true}, {"type": "email", "label": "E-mail"}], "consent": {"text": "I agree", "version": "1"}, "origins": ["https://shop.example.com"]}"#
                guard case .accepted = try parts.store.accept(text: form, receipt: "bench-popup", decoder: configuration.jobDecoder(now: Date())) else { throw BenchError("the popup form was refused") }
                reference.append(try InboundBenchmark.wrk(base + "/healthz", script: nil).rate)
                let script = try submitScript()
                defer { try? FileManager.default.removeItem(atPath: script) }
                let before = try await parts.store.growthReport(from: "2000-01-01", to: "2100-01-01").tools.first?.submissions ?? 0
                let posts = try InboundBenchmark.wrk(base + "/g/bench-popup/submit", script: script)
                guard posts.errors == 0 else { throw BenchError("\(posts.errors) submissions were not answered 200") }
                let stored = (try await parts.store.growthReport(from: "2000-01-01", to: "2100-01-01").tools.first?.submissions ?? 0) - before
                // wrk stops counting with up to 64 requests still on their way: those are stored too.
                guard (posts.requests...posts.requests + 64).contains(stored) else { throw BenchError("\(posts.requests) submissions answered, \(stored) stored") }
                submissions.append(posts.rate)
                scripts.append(try InboundBenchmark.wrk(base + "/g/bench-popup.js", script: nil).rate)
            }
        }
        let referenceSummary = Summary(values: reference), submitSummary = Summary(values: submissions), scriptSummary = Summary(values: scripts)
        emit(submitSummary.json("growth_submissions", unit: "requests/s", extra: [
            "wrk_healthz_requests_per_s_median": referenceSummary.median.rounded(),
            "ratio_to_healthz": (submitSummary.median / referenceSummary.median * 1000).rounded() / 1000,
            "note": "each validated, stored (SQLite, WAL) and answered with its token and links",
        ]))
        emit(scriptSummary.json("growth_script", unit: "requests/s", extra: ["ratio_to_healthz": (scriptSummary.median / referenceSummary.median * 1000).rounded() / 1000]))
    }

    /// A wrk script posting valid forms from the tool's origin, each from a new forwarded address.
    static func submitScript() throws -> String {
        let lua = """
            local i = 0
            request = function()
              i = i + 1
              local body = '{"fields": {"first_name": "Reader ' .. i .. '", "email": "reader' .. i .. '@example.com"}, "consent": true, "url": ""}'
              local client = "10." .. math.floor(i / 65536) % 256 .. "." .. math.floor(i / 256) % 256 .. "." .. i % 256
              return wrk.format("POST", nil, {["Origin"] = "https://shop.example.com", ["Content-Type"] = "text/plain;charset=UTF-8", ["X-Forwarded-For"] = client}, body)
            end
            """
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("herald-growth-\(UUID().uuidString).lua").path
        try lua.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
