import Foundation
import HeraldModel
import Hummingbird

/// `GET /metrics`: the daemon's metrics in Prometheus text format, with the gauges read from the database and
/// the spool at that moment. A proxy in front of Herald forwards `/webhooks/` and `/c/`, not this.
struct MetricsRoute: Sendable {
    let metrics: HeraldMetrics
    let store: HeraldStore
    let settings: ConfigurationHolder

    func register(on router: Router<HeraldRequestContext>) {
        router.get("/metrics") { _, _ in await scrape() }
    }

    func scrape() async -> Response {
        var snapshot = (try? await store.metricsSnapshot()) ?? MetricsSnapshot()
        let spool = SpoolDirectory(root: settings.configuration.spoolDirectory)
        for folder in [SpoolDirectory.Folder.incoming, .active, .failed] {
            // failed/ holds each rejected file with its NAME.error.json beside it: count the files, not their reasons.
            snapshot.spoolFiles[folder.rawValue] = ((try? spool.list(folder)) ?? []).filter { SpoolDirectory.isJobName($0) && !$0.hasSuffix(".error.json") }.count
        }
        metrics.sample(snapshot)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.exposition()))
        )
    }
}
