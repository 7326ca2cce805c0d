import CoreMetrics
import Foundation
import HeraldModel
import Prometheus
import Synchronization

/// The daemon's metrics, recorded through swift-metrics and exported by swift-prometheus on `/metrics`. Each
/// daemon has a registry of its own (not the process-wide bootstrap), so that daemons in one test process never
/// mix their figures.
public final class HeraldMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    /// The send-duration timer of each account, made once: a timer made per call looked its histogram up in the
    /// registry, under its lock, for every message.
    private let sendTimers = Mutex<[String: CoreMetrics.Timer]>([:])

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Platform calls take milliseconds to tens of seconds (a frozen platform, a request timeout).
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
        ]
        self.factory = factory
    }

    /// A job file the intake accepted.
    public func jobAccepted(kind: String) {
        CoreMetrics.Counter(label: "herald_jobs_accepted_total", dimensions: [("kind", kind)], factory: factory).increment()
    }

    /// A job file the intake rejected, by the rejection's code (`malformed_json`, `duplicate_id`, …).
    public func jobRejected(code: String) {
        CoreMetrics.Counter(label: "herald_jobs_rejected_total", dimensions: [("code", code)], factory: factory).increment()
    }

    /// Results the ledger has recorded: by account, outcome (sent, failed, skipped, pending again, uncertain) and reason class.
    public func recorded(_ results: [DeliveryResult]) {
        var counts: [[String]: Int] = [:]
        for result in results { counts[[result.account, result.state.rawValue, result.reasonClass], default: 0] += 1 }
        for (key, count) in counts {
            CoreMetrics.Counter(label: "herald_deliveries_total", dimensions: [("account", key[0]), ("outcome", key[1]), ("reason", key[2])], factory: factory)
                .increment(by: count)
        }
    }

    /// One API call's time from its start to its answer.
    public func sendTook(account: String, seconds: Double) {
        let timer = sendTimers.withLock { timers in
            if let timer = timers[account] { return timer }
            let timer = CoreMetrics.Timer(label: "herald_send_duration_seconds", dimensions: [("account", account)], factory: factory)
            timers[account] = timer
            return timer
        }
        timer.recordNanoseconds(Int64((max(0, seconds) * 1e9).rounded()))
    }

    /// A platform's 429: the account (or chat) waits `seconds`.
    public func rateLimited(account: String, seconds: Double) {
        CoreMetrics.Counter(label: "herald_rate_limited_total", dimensions: [("account", account)], factory: factory).increment()
        CoreMetrics.FloatingPointCounter(label: "herald_rate_limit_wait_seconds_total", dimensions: [("account", account)], factory: factory).increment(by: max(0, seconds))
    }

    /// Events read from webhooks and `getUpdates`, by platform and kind.
    public func inbound(platform: Platform, kinds: [String]) {
        var counts: [String: Int] = [:]
        for kind in kinds { counts[kind, default: 0] += 1 }
        for (kind, count) in counts {
            CoreMetrics.Counter(label: "herald_inbound_events_total", dimensions: [("platform", platform.rawValue), ("kind", kind)], factory: factory).increment(by: count)
        }
    }

    /// A feed poll, by feed and outcome (`new_items`, `nothing_new`, `not_modified`, `error`), and the items it sent.
    public func feedRun(feed: String, outcome: String, itemsSent: Int) {
        CoreMetrics.Counter(label: "herald_feed_runs_total", dimensions: [("feed", feed), ("outcome", outcome)], factory: factory).increment()
        if itemsSent > 0 {
            CoreMetrics.Counter(label: "herald_feed_items_sent_total", dimensions: [("feed", feed)], factory: factory).increment(by: itemsSent)
        }
    }

    /// A tracked link followed, by who followed it (human, preview_bot, unknown).
    public func click(agent: ClickAgent) {
        CoreMetrics.Counter(label: "herald_clicks_total", dimensions: [("agent", agent.rawValue)], factory: factory).increment()
    }

    /// A popup form's submission, by outcome (accepted, honeypot, rejected, rate_limited, forbidden_origin).
    public func growthSubmission(outcome: String) {
        CoreMetrics.Counter(label: "herald_growth_submissions_total", dimensions: [("outcome", outcome)], factory: factory).increment()
    }

    /// Figures read at scrape time, as gauges: jobs by state, open deliveries by state, spool folders.
    public func sample(_ snapshot: MetricsSnapshot) {
        for state in JobState.allCases {
            CoreMetrics.Gauge(label: "herald_jobs", dimensions: [("state", state.rawValue)], factory: factory).record(snapshot.jobs[state.rawValue] ?? 0)
        }
        for state in DeliveryState.allCases where state.isOpen {
            CoreMetrics.Gauge(label: "herald_deliveries_open", dimensions: [("state", state.rawValue)], factory: factory).record(snapshot.openDeliveries[state.rawValue] ?? 0)
        }
        for (folder, count) in snapshot.spoolFiles {
            CoreMetrics.Gauge(label: "herald_spool_files", dimensions: [("folder", folder)], factory: factory).record(count)
        }
    }

    /// The Prometheus text exposition of everything recorded.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}

/// What `/metrics` reads from the database and the spool when it is scraped.
public struct MetricsSnapshot: Sendable, Equatable {
    public var jobs: [String: Int] = [:]
    public var openDeliveries: [String: Int] = [:]
    public var spoolFiles: [String: Int] = [:]

    public init(jobs: [String: Int] = [:], openDeliveries: [String: Int] = [:], spoolFiles: [String: Int] = [:]) {
        self.jobs = jobs
        self.openDeliveries = openDeliveries
        self.spoolFiles = spoolFiles
    }
}
