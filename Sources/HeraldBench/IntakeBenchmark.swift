import Foundation
import Glibc
import HeraldCore
import HeraldTesting

/// Intake: files/s for a burst of small jobs, and drop-to-accepted latency for single files.
enum IntakeBenchmark {
    static let job = #"{"type": "campaign", "account": "shop_bot", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "Hello {{first_name}}", "buttons": [{"type": "url", "title": "Open", "url": "https://shop.example.com/x"}]}]}}"#

    /// A temporary spool and state directory with the daemon's services running in process.
    static func withDaemon(_ body: (SpoolDirectory, DaemonStatus) async throws -> Void) async throws {
        let (configuration, cleanup) = temporaryConfiguration()
        defer { cleanup() }
        try await InProcessDaemon.run(configuration) { parts in
            try await body(SpoolDirectory(root: configuration.spoolDirectory), parts.status)
        }
    }

    /// Writes `count` job files into tmp/ (not timed).
    static func stage(_ spool: SpoolDirectory, count: Int, prefix: String) throws -> [String] {
        let bytes = Array(job.utf8)
        return try (0..<count).map { index in
            let name = "\(prefix)\(index).json"
            let fd = open(spool.path(.tmp, name), O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else { throw POSIXError(.EIO) }
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
            return name
        }
    }

    /// Renames staged files into incoming/ and measures until all are accepted.
    static func rate(runs: Int, files: Int) async throws {
        var herald: [Double] = []
        var reference: [Double] = []
        for _ in 0..<runs {
            try await withDaemon { spool, status in
                // Reference: the same renames into a folder nobody watches (the filesystem's ceiling for this step).
                let scratch = SpoolDirectory(root: spool.root + "-reference")
                try scratch.prepare()
                let referenceNames = try stage(scratch, count: files, prefix: "r")
                var start = monotonic()
                for name in referenceNames { rename(scratch.path(.tmp, name), scratch.path(.incoming, name)) }
                reference.append(Double(files) / (monotonic() - start))
                try? FileManager.default.removeItem(atPath: scratch.root)

                let names = try stage(spool, count: files, prefix: "j")
                let before = status.totals.accepted
                start = monotonic()
                for name in names { rename(spool.path(.tmp, name), spool.path(.incoming, name)) }
                while status.totals.accepted - before < files {
                    if monotonic() - start > 300 { throw POSIXError(.ETIMEDOUT) }
                    try await Task.sleep(for: .milliseconds(1))
                }
                herald.append(Double(files) / (monotonic() - start))
            }
        }
        let heraldSummary = Summary(values: herald), referenceSummary = Summary(values: reference)
        emit(heraldSummary.json("intake_rate", unit: "files/s", extra: [
            "files": files, "target": 2000,
            "reference": "rename(2) of the same files into an unwatched folder",
            "reference_median": referenceSummary.median.rounded(),
            "ratio_to_reference": (heraldSummary.median / referenceSummary.median * 1000).rounded() / 1000,
        ]))
    }

    /// Drops single files one by one and measures until each is accepted.
    static func latency(runs: Int, samples: Int) async throws {
        var p50s: [Double] = [], p99s: [Double] = [], fsyncs: [Double] = []
        for _ in 0..<runs {
            try await withDaemon { spool, status in
                // Reference: one durable SQLite-sized write, the floor any crash-safe intake pays (write + fsync of file and folder).
                var referenceSamples: [Double] = []
                for index in 0..<50 {
                    let start = monotonic()
                    try spool.writeDurably(Array(job.utf8), to: .tmp, name: "reference\(index)")
                    referenceSamples.append((monotonic() - start) * 1000)
                    spool.remove("reference\(index)", from: .tmp)
                }
                fsyncs.append(percentile(referenceSamples, 0.5))

                let names = try stage(spool, count: samples, prefix: "l")
                var latencies: [Double] = []
                for name in names {
                    let before = status.totals.accepted
                    let start = monotonic()
                    rename(spool.path(.tmp, name), spool.path(.incoming, name))
                    while status.totals.accepted == before {
                        if monotonic() - start > 10 { throw POSIXError(.ETIMEDOUT) }
                        usleep(20)
                    }
                    latencies.append((monotonic() - start) * 1000)
                }
                p50s.append(percentile(latencies, 0.5))
                p99s.append(percentile(latencies, 0.99))
            }
        }
        let reference = Summary(values: fsyncs).median
        emit(Summary(values: p50s).json("intake_latency_p50", unit: "ms", extra: [
            "samples_per_run": samples, "target": 2, "reference": "write+fsync of a small file and its folder",
            "reference_median": (reference * 1000).rounded() / 1000,
            "ratio_to_reference": (Summary(values: p50s).median / reference * 100).rounded() / 100,
        ]))
        emit(Summary(values: p99s).json("intake_latency_p99", unit: "ms", extra: ["samples_per_run": samples, "target": 20]))
    }

    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.down)))]
    }
}
