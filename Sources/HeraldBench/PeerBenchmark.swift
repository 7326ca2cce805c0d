import Synchronization
import Foundation
import HeraldCore
import HeraldModel
import HeraldTesting

/// Herald against the references an operator would compare it with, on one canned nginx Bot API endpoint in
/// the same run: `wrk` (the endpoint's request rate: the ceiling of any client) and an aiogram broadcast
/// script (the peer). Herald sends to several accounts at once, with every ledger row durably written, and
/// its CPU time per delivered message is taken from getrusage over the campaign.
enum PeerBenchmark {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func run(runs: Int, recipients: Int, accounts: Int) async throws {
        guard CannedEndpoint.available, FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else {
            throw BenchError("the peers scenario needs nginx and wrk (apt-get install nginx-light wrk) and aiogram and python-telegram-bot (pip install aiogram python-telegram-bot)")
        }
        var herald: [Double] = [], cpu: [Double] = [], wrk: [Double] = [], aiogram: [Double] = [], ptb: [Double] = [], bare: [Double] = [], bareCPU: [Double] = [], callbacks: [Double] = [], callbacksCPU: [Double] = []
        for run in 0..<runs {
            let endpoint = try CannedEndpoint()
            wrk.append(try wrkRate(endpoint))
            aiogram.append(try aiogramRate(endpoint, messages: 5_000))
            ptb.append(try ptbRate(endpoint, messages: 5_000))
            let transport = try await transportFigures(endpoint, requests: recipients)
            bare.append(transport.tasks)
            bareCPU.append(transport.tasksCPU)
            callbacks.append(transport.callbacks)
            callbacksCPU.append(transport.callbacksCPU)
            let (rate, microseconds) = try await heraldRate(endpoint, recipients: recipients, accounts: accounts, run: run)
            herald.append(rate)
            cpu.append(microseconds)
        }
        let summary = Summary(values: herald), wrkSummary = Summary(values: wrk), peer = Summary(values: aiogram), ptbSummary = Summary(values: ptb)
        emit(summary.json("peers_throughput", unit: "messages/s", extra: [
            "recipients": recipients, "accounts": accounts, "endpoint": "nginx, one worker, canned sendMessage answer",
            "wrk_requests_per_s_median": wrkSummary.median.rounded(), "ratio_to_wrk": (summary.median / wrkSummary.median * 1000).rounded() / 1000,
            "aiogram_messages_per_s_median": peer.median.rounded(), "ratio_to_aiogram": (summary.median / peer.median * 100).rounded() / 100,
            "python_telegram_bot_messages_per_s_median": ptbSummary.median.rounded(), "ratio_to_python_telegram_bot": (summary.median / ptbSummary.median * 100).rounded() / 100,
            "transport_alone_requests_per_s_median": Summary(values: bare).median.rounded(),
            "ratio_to_transport": (summary.median / Summary(values: bare).median * 1000).rounded() / 1000,
            "targets": "≥ 0.3 × wrk, ≥ 5 × aiogram, ≥ 20 × python-telegram-bot",
        ]))
        emit(Summary(values: cpu).json("cpu_per_message", unit: "µs", extra: [
            "recipients": recipients, "accounts": accounts, "target": 40, "what": "user + system CPU of the daemon's process over the campaign, per delivered message",
            "transport_alone_us_per_request_median": (Summary(values: bareCPU).median * 10).rounded() / 10,
            "transport_callbacks_requests_per_s_median": Summary(values: callbacks).median.rounded(),
            "transport_callbacks_us_per_request_median": (Summary(values: callbacksCPU).median * 10).rounded() / 10,
        ]))
    }

    /// The libcurl transport alone against the canned endpoint, through tasks and through callbacks.
    static func transport(runs: Int, requests: Int) async throws {
        var tasks: [Double] = [], tasksCPU: [Double] = [], callbacks: [Double] = [], callbacksCPU: [Double] = []
        for _ in 0..<runs {
            let figures = try await transportFigures(try CannedEndpoint(), requests: requests)
            tasks.append(figures.tasks)
            tasksCPU.append(figures.tasksCPU)
            callbacks.append(figures.callbacks)
            callbacksCPU.append(figures.callbacksCPU)
        }
        emit(Summary(values: tasks).json("transport_tasks", unit: "requests/s", extra: ["cpu_us_per_request_median": Summary(values: tasksCPU).median]))
        emit(Summary(values: callbacks).json("transport_callbacks", unit: "requests/s", extra: ["cpu_us_per_request_median": Summary(values: callbacksCPU).median]))
    }

    /// The transport alone, 256 calls out, through a task per call and through callbacks: requests per second and
    /// CPU µs per request of each.
    static func transportFigures(_ endpoint: CannedEndpoint, requests: Int) async throws -> (tasks: Double, tasksCPU: Double, callbacks: Double, callbacksCPU: Double) {
        let (rate, cpu) = try await DispatchBenchmark.transportCeiling(url: endpoint.baseURL + "/bot1:bench/sendMessage", requests: requests, concurrency: 256)
        let (callbackRate, callbackCPU) = try await transportCallbackRate(endpoint, requests: requests)
        return (rate, cpu, callbackRate, callbackCPU)
    }

    /// Herald alone against the canned endpoint (no references): for profiling.
    static func heraldOnly(runs: Int, recipients: Int, accounts: Int) async throws {
        var rates: [Double] = [], cpu: [Double] = []
        for run in 0..<runs {
            let endpoint = try CannedEndpoint()
            let (rate, microseconds) = try await heraldRate(endpoint, recipients: recipients, accounts: accounts, run: run)
            rates.append(rate)
            cpu.append(microseconds)
        }
        emit(Summary(values: rates).json("herald_throughput", unit: "messages/s", extra: ["cpu_us_per_message_median": Summary(values: cpu).median]))
    }

    /// CPU seconds of each thread of this process, by thread id: (name, seconds).
    static func threadCPU() -> [String: (String, Double)] {
        var result: [String: (String, Double)] = [:]
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        for tid in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? [] {
            guard let stat = try? String(contentsOfFile: "/proc/self/task/\(tid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")"), let open = stat.firstIndex(of: "(") else { continue }
            let name = String(stat[stat.index(after: open)..<close])
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
            result[tid] = (name, (user + system) / ticks)
        }
        return result
    }

    /// The machine's busy and idle clock ticks since boot, all cores (/proc/stat): how much of the machine a span used.
    static func machineTicks() -> (busy: Int, idle: Int) {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8), let line = stat.split(separator: "\n").first else { return (0, 0) }
        let fields = line.split(separator: " ").dropFirst().compactMap { Int($0) }
        guard fields.count >= 5 else { return (0, 0) }
        // user nice system idle iowait irq softirq steal: idle and iowait are idle.
        let idle = fields[3] + fields[4]
        return (fields.prefix(8).reduce(0, +) - idle, idle)
    }

    /// The transport through its completion callbacks, no task per call: compared with the same run's
    /// `DispatchBenchmark.transportCeiling`, the share of Swift tasks and continuations. 256 calls out, or
    /// `HERALD_BENCH_CONCURRENCY`, over as many connections or `HERALD_BENCH_CONNECTIONS`; another endpoint (HTTPS,
    /// say) with `HERALD_BENCH_URL` and `HERALD_BENCH_CA_FILE`.
    static func transportCallbackRate(_ endpoint: CannedEndpoint, requests: Int) async throws -> (Double, Double) {
        let environment = ProcessInfo.processInfo.environment
        let concurrency = environment["HERALD_BENCH_CONCURRENCY"].flatMap(Int.init) ?? 256
        let connections = environment["HERALD_BENCH_CONNECTIONS"].flatMap(Int.init) ?? concurrency
        let transport = try CurlTransport(maxConnections: connections, timeout: .seconds(30), caFile: environment["HERALD_BENCH_CA_FILE"])
        let request = HTTPRequest(url: (environment["HERALD_BENCH_URL"] ?? endpoint.baseURL) + "/bot1:bench/sendMessage", body: Array(#"{"chat_id":1000000,"text":"Hello"}"#.utf8))
        let issued = Atomic<Int>(0), done = Atomic<Int>(0), failed = Atomic<Int>(0)
        let cpu = processCPUSeconds()
        let start = monotonic()
        await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
            @Sendable func next() {
                guard issued.wrappingAdd(1, ordering: .relaxed).newValue <= requests else { return }
                transport.send(request) { result in
                    // A failure completes fast: counted as a request, it would pass for speed.
                    if case .response(200, _) = result {} else { failed.wrappingAdd(1, ordering: .relaxed) }
                    if done.wrappingAdd(1, ordering: .relaxed).newValue == requests { finished.resume() } else { next() }
                }
            }
            for _ in 0..<concurrency { next() }
        }
        let elapsed = monotonic() - start
        let used = processCPUSeconds() - cpu
        await transport.shutdown()
        let failures = failed.load(ordering: .relaxed)
        guard failures == 0 else { throw BenchError("\(failures) of \(requests) transport requests got no 200 answer") }
        return (Double(requests) / elapsed, used / Double(requests) * 1e6)
    }

    /// wrk, one thread and 64 connections for 5 s, posting a sendMessage body.
    static func wrkRate(_ endpoint: CannedEndpoint) throws -> Double {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("herald-wrk-\(UUID().uuidString).lua").path
        defer { try? FileManager.default.removeItem(atPath: script) }
        try #"wrk.method = "POST"; wrk.body = '{"chat_id":1000000,"text":"Hello"}'; wrk.headers["Content-Type"] = "application/json""#.write(toFile: script, atomically: true, encoding: .utf8)
        let output = try capture("/usr/bin/wrk", ["-t1", "-c64", "-d5s", "-s", script, endpoint.baseURL + "/bot1:bench/sendMessage"])
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("Requests/sec:") }),
              let rate = Double(line.split(separator: " ").last ?? "")
        else { throw BenchError("cannot read wrk's output: \(output)") }
        return rate
    }

    /// The better of aiogram sequential and with 100 calls in flight.
    static func aiogramRate(_ endpoint: CannedEndpoint, messages: Int) throws -> Double {
        try peerRate("aiogram_broadcast.py", library: "aiogram", endpoint, messages: messages)
    }

    /// The better of python-telegram-bot sequential and with 100 calls in flight.
    static func ptbRate(_ endpoint: CannedEndpoint, messages: Int) throws -> Double {
        try peerRate("ptb_broadcast.py", library: "python-telegram-bot", endpoint, messages: messages)
    }

    /// The better of a peer script's sequential and 100-in-flight broadcasts, in messages per second.
    static func peerRate(_ script: String, library: String, _ endpoint: CannedEndpoint, messages: Int) throws -> Double {
        let path = packageRoot.appendingPathComponent("Tests/PlatformServer/\(script)").path
        var best = 0.0
        for concurrency in [1, 100] {
            let output = try capture("/usr/bin/env", ["python3", path, endpoint.baseURL, "\(messages)", "\(concurrency)"])
            guard let rate = Double(output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw BenchError("the \(library) script failed (is \(library) installed?): \(output)")
            }
            best = max(best, rate)
        }
        return best
    }

    /// One campaign per account, all submitted together: messages per second from submission to the last
    /// delivery written as sent, and CPU microseconds per message over that span.
    static func heraldRate(_ endpoint: CannedEndpoint, recipients: Int, accounts: Int, run: Int) async throws -> (Double, Double) {
        let temporary = temporaryConfiguration()
        var configuration = temporary.configuration
        defer { temporary.cleanup() }
        // The shipped dispatch settings (512 in flight, 256 connections): what an operator runs.
        let names = (0..<accounts).map { "bot\($0)" }
        configuration.accounts = Dictionary(uniqueKeysWithValues: names.enumerated().map { index, name in
            (name, AccountConfiguration(
                name: name, platform: .telegram, apiBaseURL: endpoint.baseURL, token: Secret(value: "\(index + 1):bench", origin: "bench"),
                pageID: nil, appSecret: nil, graphVersion: "v25.0", rate: 1_000_000, paidBroadcast: true
            ))
        })
        // The canned endpoint answers sends only: no getUpdates polling beside the measured sends.
        for name in names { configuration.accounts[name]?.updates = .off }
        if let value = ProcessInfo.processInfo.environment["HERALD_BENCH_MAX_IN_FLIGHT"].flatMap(Int.init) {
            configuration.dispatch.maxInFlight = value
            configuration.dispatch.maxConnections = min(value, configuration.dispatch.maxConnections)
        }
        if let value = ProcessInfo.processInfo.environment["HERALD_BENCH_CONNECTIONS"].flatMap(Int.init) { configuration.dispatch.maxConnections = value }
        var result = (0.0, 0.0)
        try await InProcessDaemon.run(configuration) { parts in
            let spool = SpoolDirectory(root: configuration.spoolDirectory)
            let each = recipients / accounts
            let before = parts.status.totals.accepted
            for (index, name) in names.enumerated() {
                let ids = (0..<each).map { "\"\(1_000_000 + index * each + $0)\"" }.joined(separator: ",")
                try spool.submit(Array(#"{"type": "subscribers", "account": ""# .utf8) + Array(name.utf8) + Array(#"", "action": "import", "subscribers": ["#.utf8) + Array(ids.utf8) + Array("]}".utf8), name: "import-\(name).json")
            }
            while parts.status.totals.accepted - before < accounts { try await Task.sleep(for: .milliseconds(20)) }
            // Per-thread figures only when asked for, read before the measured span starts.
            let debug = ProcessInfo.processInfo.environment["HERALD_BENCH_DEBUG"] != nil
            let beatsBefore = parts.status.beats(.dispatcher)
            let threadsBefore = debug ? threadCPU() : [:]
            let machineBefore = debug ? machineTicks() : (busy: 0, idle: 0)
            let cpuStart = processCPUSeconds()
            let start = monotonic()
            for name in names {
                let job = #"{"type": "campaign", "id": "peers-\#(run)-\#(name)", "account": "\#(name)", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "Hello {{platform_id}}"}]}, "options": {"paid_broadcast": true}}"#
                try spool.submit(Array(job.utf8), name: "campaign-\(name).json")
            }
            // Until every delivery is sent (the campaigns' completion is noticed at the next housekeeping pass,
            // up to a second later, which is not sending time). The poll probes the two partial indexes of open
            // deliveries: counting each campaign's rows every 5 ms cost about 18 µs per message, charged to Herald, and
            // so did a probe matching neither index, which read every sent row before the first open one.
            let sent = each * accounts
            let jobs = names.map { JobID(unchecked: "peers-\(run)-\($0)") }
            while true {
                if try !parts.store.hasOpenDeliveries(jobs: jobs) {
                    var done = 0
                    for job in jobs { done += try parts.store.jobStatus(id: job)?.deliveries["sent"] ?? 0 }
                    if done >= sent { break }
                }
                try await Task.sleep(for: .milliseconds(5))
            }
            let elapsed = monotonic() - start
            if debug {
                print("dispatcher passes:", parts.status.beats(.dispatcher) - beatsBefore)
                let machine = machineTicks()
                let busy = Double(machine.busy - machineBefore.busy), idle = Double(machine.idle - machineBefore.idle)
                print("  machine: \(String(format: "%.2f", busy / (busy + idle) * Double(ProcessInfo.processInfo.activeProcessorCount))) of \(ProcessInfo.processInfo.activeProcessorCount) cores busy")
                var byName: [String: Double] = [:]
                for (tid, (name, cpu)) in threadCPU() { byName[name, default: 0] += cpu - (threadsBefore[tid]?.1 ?? 0) }
                for (name, cpu) in byName.sorted(by: { $0.value > $1.value }) where cpu > 0.001 { print("  \(name): \(Int(cpu / Double(sent) * 1e6)) µs/msg") }
                // Where the span went: submission to the first call, then the sends by 100 ms.
                let began = Int((Date().timeIntervalSince1970 - elapsed) * 1000)
                print("  first call, last sent (ms after submission):", try capture("/usr/bin/sqlite3", [configuration.databasePath,
                    "SELECT min(first_attempt_at) - \(began), max(sent_at) - \(began) FROM deliveries WHERE sent_at IS NOT NULL AND first_attempt_at >= \(began)"]).trimmingCharacters(in: .whitespacesAndNewlines))
                print("  sent per 100 ms:", try capture("/usr/bin/sqlite3", [configuration.databasePath,
                    "SELECT group_concat(n, ' ') FROM (SELECT count(*) AS n FROM deliveries WHERE sent_at >= \(began) GROUP BY (sent_at - \(began)) / 100 ORDER BY (sent_at - \(began)) / 100)"]).trimmingCharacters(in: .whitespacesAndNewlines))
            }
            result = (Double(sent) / elapsed, (processCPUSeconds() - cpuStart) / Double(sent) * 1e6)
        }
        return result
    }
}
