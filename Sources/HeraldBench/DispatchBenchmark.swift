import Foundation
import Glibc
import HeraldCore
import HeraldModel
import HeraldTesting

/// Dispatch: end-to-end send rate, rate accuracy under a limit, throughput under server latency, and memory
/// for a million recipients, against the platform simulator (`herald sim`, without request recording).
enum DispatchBenchmark {
    /// The simulated Bot API in its own process, for the bot `1:bench`.
    final class Endpoint {
        let server: PlatformServer

        /// `limit`: the bot's messages per second, enforced with 429s (else counted only).
        init(limit: Int? = nil, latencyMilliseconds: Int = 0) throws {
            var arguments = ["--telegram-token", "1:bench", "--no-record", "--latency-ms", "\(latencyMilliseconds)"]
            if let limit { arguments += ["--enforce-limits", "--bot-limit", "\(limit)"] }
            server = try PlatformServer(arguments: arguments)
        }

        var baseURL: String { server.baseURL }
        var sendURL: String { baseURL + "/bot1:bench/sendMessage" }

        /// Sends accepted and refused with 429, and the span between the first and last accepted arrival.
        func stats() throws -> (requests: Int, rejected: Int, span: Double) {
            let sends = try server.report()["sends"] as? [String: Any] ?? [:]
            let first = sends["first"] as? Double ?? 0, last = sends["last"] as? Double ?? 0
            return (sends["accepted"] as? Int ?? 0, sends["rejected"] as? Int ?? 0, last - first)
        }
    }

    /// A daemon whose one account (`bench`, Telegram) points at the endpoint with the given rate.
    static func withDaemon(_ endpoint: Endpoint, rate: Double, maxInFlight: Int, _ body: (SpoolDirectory, HeraldStore, DaemonStatus) async throws -> Void) async throws {
        let temporary = temporaryConfiguration()
        var configuration = temporary.configuration
        defer { temporary.cleanup() }
        configuration.dispatch.maxInFlight = maxInFlight
        configuration.dispatch.maxConnections = maxInFlight
        configuration.accounts = ["bench": AccountConfiguration(
            name: "bench", platform: .telegram, apiBaseURL: endpoint.baseURL, token: Secret(value: "1:bench", origin: "bench"),
            pageID: nil, appSecret: nil, graphVersion: "v25.0", rate: rate, paidBroadcast: true
        )]
        // The canned endpoint answers sends only: no getUpdates polling beside the measured sends.
        configuration.accounts["bench"]?.updates = .off
        try await InProcessDaemon.run(configuration) { parts in
            try await body(SpoolDirectory(root: configuration.spoolDirectory), parts.store, parts.status)
        }
    }

    /// Imports `count` subscribers through the spool, 10,000 per job.
    static func importSubscribers(_ count: Int, spool: SpoolDirectory, status: DaemonStatus) async throws {
        let before = status.totals.accepted
        var jobs = 0
        for start in stride(from: 0, to: count, by: 10_000) {
            let ids = (start..<min(count, start + 10_000)).map { "\"\(1_000_000 + $0)\"" }.joined(separator: ",")
            let job = #"{"type": "subscribers", "account": "bench", "action": "import", "subscribers": ["# + ids + "]}"
            try spool.submit(Array(job.utf8), name: "import-\(start).json")
            jobs += 1
        }
        while status.totals.accepted - before < jobs { try await Task.sleep(for: .milliseconds(20)) }
    }

    /// Submits a one-text campaign to everyone and waits until it completes; returns the seconds it took.
    @discardableResult
    static func runCampaign(_ id: String, spool: SpoolDirectory, store: HeraldStore, whileRunning: (() -> Void)? = nil) async throws -> Double {
        let job = #"{"type": "campaign", "id": ""# + id + #"", "account": "bench", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "Hello {{platform_id}}"}]}, "options": {"paid_broadcast": true}}"#
        let start = monotonic()
        try spool.submit(Array(job.utf8), name: id + ".json")
        while true {
            whileRunning?()
            if let status = try store.jobStatus(id: JobID(unchecked: id)), status.isFinished { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return monotonic() - start
    }

    /// The `Environment=` settings of systemd/herald.service.
    static func unitEnvironment() throws -> [String: String] {
        let unit = try String(contentsOf: PeerBenchmark.packageRoot.appendingPathComponent("systemd/herald.service"), encoding: .utf8)
        var environment: [String: String] = [:]
        for line in unit.split(separator: "\n") where line.hasPrefix("Environment=") {
            let setting = line.dropFirst("Environment=".count)
            guard let equals = setting.firstIndex(of: "=") else { continue }
            environment[String(setting[..<equals])] = String(setting[setting.index(after: equals)...])
        }
        return environment
    }

    /// Resident memory of this process, in MB.
    /// `field` of /proc/self/status in MB: VmRSS, or its parts RssAnon (the heap, stacks) and RssFile (mapped
    /// code and data, clean and shared with the page cache).
    static func residentMegabytes(_ field: String = "VmRSS") -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kilobytes / 1024
    }

    /// The transport alone, same endpoint and concurrency: the ceiling for the dispatcher above it, in requests
    /// per second, and the CPU microseconds this process spent per request.
    static func transportCeiling(url: String, requests: Int, concurrency: Int) async throws -> (rate: Double, cpu: Double) {
        let transport = try CurlTransport(maxConnections: concurrency, timeout: .seconds(30))
        let body = Array(#"{"chat_id":1,"text":"Hello"}"#.utf8)
        let cpu = processCPUSeconds()
        let start = monotonic()
        // A failure completes fast: counted as a request, it would pass for speed.
        let failures = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var failures = 0
                    for _ in stride(from: worker, to: requests, by: concurrency) {
                        if case .response(200, _) = await transport.send(HTTPRequest(url: url, body: body)) {} else { failures += 1 }
                    }
                    return failures
                }
            }
            return await group.reduce(0, +)
        }
        let elapsed = monotonic() - start
        let used = processCPUSeconds() - cpu
        await transport.shutdown()
        guard failures == 0 else { throw BenchError("\(failures) of \(requests) transport requests got no 200 answer") }
        return (Double(requests) / elapsed, used / Double(requests) * 1e6)
    }

    /// Messages per second with no limit and no server latency, against the transport alone.
    static func throughput(runs: Int, recipients: Int) async throws {
        var rates: [Double] = [], ceilings: [Double] = []
        for run in 0..<runs {
            let ceilingEndpoint = try Endpoint()
            ceilings.append(try await transportCeiling(url: ceilingEndpoint.sendURL, requests: recipients, concurrency: 256).rate)
            let endpoint = try Endpoint()
            try await withDaemon(endpoint, rate: 1_000_000, maxInFlight: 256) { spool, store, status in
                try await importSubscribers(recipients, spool: spool, status: status)
                try await runCampaign("throughput-\(run)", spool: spool, store: store)
            }
            let stats = try endpoint.stats()
            rates.append(Double(stats.requests - 1) / max(0.001, stats.span))
        }
        let summary = Summary(values: rates), reference = Summary(values: ceilings)
        emit(summary.json("dispatch_throughput", unit: "messages/s", extra: [
            "recipients": recipients, "reference": "the libcurl transport alone, 256 concurrent, same endpoint",
            "reference_median": reference.median.rounded(), "ratio_to_reference": (summary.median / reference.median * 1000).rounded() / 1000,
        ]))
    }

    /// Achieved rate against a configured one, with the endpoint enforcing that limit.
    static func accuracy(runs: Int, rate: Double, recipients: Int, busyCore: Bool) async throws {
        var ratios: [Double] = [], rejections: [Double] = []
        for run in 0..<runs {
            let endpoint = try Endpoint(limit: Int(rate))
            // The other core spins for the whole run, as a loaded server's would.
            let burner = busyCore ? CoreBurner() : nil
            try await withDaemon(endpoint, rate: rate, maxInFlight: 512) { spool, store, status in
                try await importSubscribers(recipients, spool: spool, status: status)
                try await runCampaign("accuracy-\(Int(rate))-\(run)", spool: spool, store: store)
            }
            burner?.stop()
            let stats = try endpoint.stats()
            ratios.append(Double(stats.requests - 1) / stats.span / rate)
            rejections.append(Double(stats.rejected))
        }
        emit(Summary(values: ratios).json("rate_accuracy", unit: "achieved/configured", extra: [
            "configured": rate, "recipients": recipients, "target": 0.98, "other_core_busy": busyCore ? 1 : 0,
            "http_429_median": Summary(values: rejections).median, "http_429_max": Summary(values: rejections).max,
        ]))
    }

    /// Throughput under a 2,000 msg/s limit when every answer takes 250 ms.
    static func latency(runs: Int, recipients: Int) async throws {
        var ratios: [Double] = []
        for run in 0..<runs {
            let endpoint = try Endpoint(latencyMilliseconds: 250)
            try await withDaemon(endpoint, rate: 2000, maxInFlight: 1024) { spool, store, status in
                try await importSubscribers(recipients, spool: spool, status: status)
                try await runCampaign("latency-\(run)", spool: spool, store: store)
            }
            let stats = try endpoint.stats()
            ratios.append(Double(stats.requests - 1) / stats.span / 2000)
        }
        emit(Summary(values: ratios).json("high_latency_throughput", unit: "achieved/limit", extra: [
            "limit": 2000, "server_latency_ms": 250, "recipients": recipients, "target": 0.95,
        ]))
    }

    /// Peak resident memory while a campaign goes to `recipients` subscribers.
    /// Peak memory of the daemon itself: `herald run` in its own process (as systemd runs it) with the shipped
    /// settings against the canned endpoint, `recipients` imported through the spool over eight bots, then a
    /// campaign to each bot's audience, all at once. The kernel's high-water mark (VmHWM), and the anonymous and file-backed parts at their peaks.
    static func memory(runs: Int, recipients: Int) async throws {
        // One bot sends at most 1,000 a second: the audience is spread over eight, one campaign each.
        let accounts = 8
        var peaks: [Double] = [], importPeaks: [Double] = [], baselines: [Double] = [], durations: [Double] = [], anonymous: [Double] = [], files: [Double] = []
        for run in 0..<runs {
            let endpoint = try Endpoint()
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("herald-bench-memory-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: root) }
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try Data("1:bench\n".utf8).write(to: URL(fileURLWithPath: root + "/bot.token"))
            chmod(root + "/bot.token", 0o600)
            let config = """
                spool_dir = "\(root)/spool"
                state_dir = "\(root)/state"
                [http]
                listen = "127.0.0.1:0"
                \(ProcessInfo.processInfo.environment["HERALD_BENCH_MAX_IN_FLIGHT"].map { "[dispatch]\nmax_in_flight = \($0)" } ?? "")

                """ + (0..<accounts).map { index in
                    """
                    [accounts.bench\(index)]
                    platform = "telegram"
                    token_file = "\(root)/bot.token"
                    api_base_url = "\(endpoint.baseURL)"
                    rate = 1000
                    paid_broadcast = true
                    updates = "off"

                    """
                }.joined()
            try Data(config.utf8).write(to: URL(fileURLWithPath: root + "/herald.toml"))
            let daemon = Process()
            daemon.executableURL = URL(fileURLWithPath: PlatformServer.heraldBinary)
            daemon.arguments = ["run", "--config", root + "/herald.toml"]
            // The shipped unit's environment too (its malloc arena limit).
            daemon.environment = ProcessInfo.processInfo.environment.filter { $0.key != "NOTIFY_SOCKET" }
                .merging(try unitEnvironment()) { $1 }.merging(["HERALD_LOG_TARGET": "console"]) { $1 }
            daemon.standardError = FileHandle.nullDevice
            try daemon.run()
            defer { if daemon.isRunning { daemon.terminate(); daemon.waitUntilExit() } }
            let spool = SpoolDirectory(root: root + "/spool")
            let database = root + "/state/herald.sqlite"
            // Ready once its store and its spool's folders exist (it creates the store first).
            while !(["/state/herald.sqlite", "/spool/tmp", "/spool/incoming", "/spool/done"].allSatisfy { FileManager.default.fileExists(atPath: root + $0) }) {
                guard daemon.isRunning else { throw BenchError("the daemon did not start") }
                try await Task.sleep(for: .milliseconds(20))
            }
            var jobs = 0
            for start in stride(from: 0, to: recipients, by: 10_000) {
                let ids = (start..<min(recipients, start + 10_000)).map { "\"\(1_000_000 + $0)\"" }.joined(separator: ",")
                let account = "bench\(start / 10_000 % accounts)"
                try spool.submit(Array((#"{"type": "subscribers", "account": ""# + account + #"", "action": "import", "subscribers": ["#).utf8) + Array(ids.utf8) + Array("]}".utf8), name: "import-\(start).json")
                jobs += 1
            }
            while (try? FileManager.default.contentsOfDirectory(atPath: root + "/spool/done").count) ?? 0 < jobs {
                guard daemon.isRunning else { throw BenchError("the daemon stopped during the import") }
                try await Task.sleep(for: .milliseconds(50))
            }
            let pid = daemon.processIdentifier
            let baseline = status(pid, "VmRSS")
            // The high-water mark so far: the import's, which the campaign may or may not exceed.
            importPeaks.append(status(pid, "VmHWM"))
            var peakAnonymous = status(pid, "RssAnon"), peakFile = status(pid, "RssFile")
            let store = try HeraldStore(readingAt: database)
            let ids = (0..<accounts).map { "memory-\(run)-\($0)" }
            let started = monotonic()
            for (index, id) in ids.enumerated() {
                try spool.submit(Array((#"{"type": "campaign", "id": ""# + id + #"", "account": "bench\#(index)", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "Hello {{platform_id}}"}]}, "options": {"paid_broadcast": true}}"#).utf8), name: id + ".json")
            }
            while true {
                guard daemon.isRunning else { throw BenchError("the daemon stopped during the campaign") }
                peakAnonymous = max(peakAnonymous, status(pid, "RssAnon"))
                peakFile = max(peakFile, status(pid, "RssFile"))
                if try ids.allSatisfy({ try store.jobStatus(id: JobID(unchecked: $0))?.isFinished == true }) { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            durations.append(monotonic() - started)
            peaks.append(status(pid, "VmHWM"))
            baselines.append(baseline)
            anonymous.append(peakAnonymous)
            files.append(peakFile)
        }
        emit(Summary(values: peaks).json("campaign_peak_rss", unit: "MB", extra: [
            "recipients": recipients, "target": 60, "rss_before_campaign_median": Summary(values: baselines).median.rounded(),
            "peak_during_import_median": Summary(values: importPeaks).median.rounded(),
            "peak_anonymous_median": Summary(values: anonymous).median.rounded(), "peak_file_backed_median": Summary(values: files).median.rounded(),
            "campaign_seconds_median": Summary(values: durations).median.rounded(),
            "note": "the daemon's own process (herald run, shipped settings and the unit's environment), VmHWM",
        ]))
    }

    /// `field` of /proc/PID/status in MB.
    static func status(_ pid: Int32, _ field: String) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kilobytes / 1024
    }
}
