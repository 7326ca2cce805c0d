import Foundation
import HeraldCore
import Logging
import ServiceLifecycle

/// `herald-bench [scenario...]`: release-build benchmarks, one JSON line per result.
///
/// Each scenario runs several times; results report the median, min and max, and a ratio against a
/// reference measured in the same run on the same machine, so that the figures travel between machines.
@main
struct HeraldBench {
    static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let runs = Int(ProcessInfo.processInfo.environment["HERALD_BENCH_RUNS"] ?? "") ?? 5
        let scenarios = arguments.isEmpty
            ? ["intake-rate", "intake-latency", "dispatch-throughput", "rate-accuracy", "high-latency", "memory"] : arguments
        for scenario in scenarios {
            switch scenario {
            case "intake-rate": try await IntakeBenchmark.rate(runs: runs, files: 10_000)
            case "intake-latency": try await IntakeBenchmark.latency(runs: runs, samples: 300)
            case "dispatch-throughput": try await DispatchBenchmark.throughput(runs: runs, recipients: 20_000)
            case "rate-accuracy":
                // Across the range, each run about ten seconds long, with the other core busy
                let rates = (ProcessInfo.processInfo.environment["HERALD_BENCH_RATES"] ?? "1,30,300,1000").split(separator: ",").compactMap { Double($0) }
                for rate in rates {
                    try await DispatchBenchmark.accuracy(runs: runs, rate: rate, recipients: max(12, Int(rate * 10)), busyCore: ProcessInfo.processInfo.environment["HERALD_BENCH_BUSY"] != "0")
                }
            case "high-latency": try await DispatchBenchmark.latency(runs: runs, recipients: 20_000)
            case "peers":
                try await PeerBenchmark.run(
                    runs: runs, recipients: Int(ProcessInfo.processInfo.environment["HERALD_BENCH_RECIPIENTS"] ?? "") ?? 20_000,
                    accounts: Int(ProcessInfo.processInfo.environment["HERALD_BENCH_ACCOUNTS"] ?? "") ?? 8
                )
            case "transport": try await PeerBenchmark.transport(runs: runs, requests: 20_000)
            case "herald-only":
                try await PeerBenchmark.heraldOnly(runs: runs, recipients: 20_000, accounts: Int(ProcessInfo.processInfo.environment["HERALD_BENCH_ACCOUNTS"] ?? "") ?? 8)
            case "ledger": try await LedgerBenchmark.run(runs: runs, recipients: 20_000)
            case "inbound": try await InboundBenchmark.run(runs: runs)
            case "report": try await ReportBenchmark.run(runs: runs)
            case "feeds": try FeedBenchmark.run(runs: runs)
            case "growth": try await GrowthBenchmark.run(runs: runs)
            case "memory": try await DispatchBenchmark.memory(runs: 1, recipients: Int(ProcessInfo.processInfo.environment["HERALD_BENCH_RECIPIENTS"] ?? "") ?? 1_000_000)
            default:
                FileHandle.standardError.write(Data("herald-bench: unknown scenario \(scenario) (intake-rate, intake-latency, dispatch-throughput, rate-accuracy, high-latency, peers, transport, herald-only, ledger, inbound, report, feeds, growth, memory)\n".utf8))
                exit(2)
            }
        }
    }
}

/// Median, min and max of repeated measurements.
struct Summary {
    var values: [Double]
    var median: Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
    var min: Double { values.min() ?? 0 }
    var max: Double { values.max() ?? 0 }

    func json(_ name: String, unit: String, extra: [String: Any] = [:]) -> [String: Any] {
        var object: [String: Any] = ["name": name, "unit": unit, "median": round(median), "min": round(min), "max": round(max), "runs": values.count]
        object.merge(extra) { $1 }
        return object
    }

    private func round(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}

func emit(_ object: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
    fflush(nil)
}

/// Seconds on the monotonic clock.
func monotonic() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
