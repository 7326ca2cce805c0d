import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// Builds the daemon: every long-running loop is a `Service` in one `ServiceGroup`, in dependency order
/// (shutdown runs in reverse, so the watchdog announces STOPPING=1 first and the intake drains last).
///
/// ```swift
/// try await Daemon.run(configuration: configuration, configurationPath: path, logger: logger)
/// ```
public enum Daemon {
    /// The daemon's parts, for the service group and for tests that drive them directly.
    public struct Parts: Sendable {
        public let store: HeraldStore
        public let status: DaemonStatus
        public let intake: SpoolIntake
        public let dispatcher: Dispatcher<ContinuousClock>
        public let reloader: ConfigurationReloader
        public let watchdog: WatchdogService<ContinuousClock>
        /// Held while the daemon runs: a second daemon on the same state directory is refused.
        public let lock: StateLock
        /// Signal `.jobs` after creating a campaign through the store, so that the dispatcher looks at once.
        public let wakeup: Wakeup

        /// Shared by the services that send (the dispatcher, callback answers, polls, profile lookups).
        public let transport: TransportService
        /// Inbound: bodies made durable before they are answered, then processed; Telegram long polling.
        public let journal: InboundJournal
        public let clicks: ClickJournal
        public let processor: InboundProcessor
        public let poller: TelegramPoller
        public let feeds: FeedPoller<ContinuousClock>
        public let http: HTTPServer
        /// What `/metrics` exports; the services record into it.
        public let metrics: HeraldMetrics

        /// The services in dependency order: a group starts them in this order and stops them in reverse (the
        /// HTTP server stops taking requests before the journal closes, and everything before the transport).
        public var services: [any Service] { [transport, journal, clicks, processor, poller, http, feeds, intake, dispatcher, reloader, watchdog] }
    }

    /// Opens the store and the spool and wires the services.
    public static func makeParts(
        configuration: Configuration, configurationPath: String?, logger: Logger,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        transport: (any HTTPTransport)? = nil,
        feedLimits: FeedPoller<ContinuousClock>.Limits = .init(),
        hangups: UnixSignalsSequence? = nil,
        overrides: @escaping @Sendable (inout Configuration) -> Void = { _ in }
    ) throws -> Parts {
        try DirectoryMaker.make(configuration.stateDirectory, mode: 0o750)
        let lock = try StateLock(stateDirectory: configuration.stateDirectory)
        let store = try HeraldStore(path: configuration.databasePath)
        // Accepted jobs and reloads wake the dispatcher, which otherwise sleeps until its next deadline.
        let wakeup = Wakeup()
        let feedsChanged = Wakeup()
        let holder = ConfigurationHolder(configuration, wakeup: wakeup)
        let status = DaemonStatus()
        let metrics = HeraldMetrics()
        let notifier = SystemdNotifier()
        let watchdogInterval = notifier.watchdogInterval()
        // The intake loop beats at least four times per watchdog interval, so one late beat never costs a ping.
        let heartbeat = watchdogInterval.map { min(1, Double($0.components.seconds) / 4 + Double($0.components.attoseconds) / 4e18) } ?? 1
        let intake = try SpoolIntake(
            spool: SpoolDirectory(root: configuration.spoolDirectory), store: store, settings: holder,
            status: status, notifier: notifier, logger: logger, heartbeat: heartbeat, wakeup: wakeup, feedsChanged: feedsChanged, metrics: metrics
        )
        let http = try transport ?? CurlTransport(
            maxConnections: configuration.dispatch.maxConnections, timeout: .seconds(configuration.dispatch.requestTimeoutSeconds),
            caFile: configuration.dispatch.caFile
        )
        let clickToken = ClickToken(key: try ClickKeyFile.key(configured: configuration.clickSigningKey, stateDirectory: configuration.stateDirectory))
        let dispatcher = Dispatcher(
            store: store, settings: holder, transport: http, status: status, logger: logger, clock: ContinuousClock(), wakeup: wakeup, clickToken: clickToken,
            metrics: metrics
        )
        let reloader = ConfigurationReloader(
            holder: holder, loader: ConfigurationLoader(environment: environment), path: configurationPath,
            notifier: notifier, status: status, logger: logger, hangups: hangups, adjust: overrides
        )
        let watchdog = WatchdogService(
            notifier: notifier, status: status, clock: ContinuousClock(), logger: logger, interval: watchdogInterval
        )
        let inboundWakeup = Wakeup()
        let journal = InboundJournal(what: "webhook bodies", logger: logger, written: inboundWakeup) { bodies in try await store.appendInbound(bodies, now: Date()) }
        let clicks = ClickJournal(what: "clicks", logger: logger) { hits in try await store.recordClicks(hits) }
        let processor = InboundProcessor(
            store: store, settings: holder, transport: http, wakeup: inboundWakeup, dispatcher: dispatcher, dispatcherWakeup: wakeup, metrics: metrics, logger: logger
        )
        let poller = TelegramPoller(store: store, settings: holder, transport: http, processorWakeup: inboundWakeup, logger: logger)
        let feeds = FeedPoller(
            store: store, settings: holder, transport: http, dispatcherWakeup: wakeup, feedsChanged: feedsChanged, metrics: metrics, logger: logger, clock: ContinuousClock(),
            limits: feedLimits
        )
        let server = HTTPServer(settings: holder, journal: journal, clicks: clicks, clickToken: clickToken, store: store, status: status, metrics: metrics, logger: logger)
        return Parts(
            store: store, status: status, intake: intake, dispatcher: dispatcher, reloader: reloader, watchdog: watchdog, lock: lock, wakeup: wakeup,
            transport: TransportService(http), journal: journal, clicks: clicks, processor: processor, poller: poller, feeds: feeds, http: server, metrics: metrics
        )
    }

    /// Runs the daemon until it stops: SIGTERM drains gracefully within `drain_timeout_seconds`, SIGINT
    /// cancels, SIGHUP reloads. The state directory stays locked until the services have stopped.
    public static func run(
        configuration: Configuration, configurationPath: String?, logger: Logger,
        overrides: @escaping @Sendable (inout Configuration) -> Void = { _ in }
    ) async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let parts = try makeParts(configuration: configuration, configurationPath: configurationPath, logger: logger, hangups: hangups, overrides: overrides)
        defer { parts.lock.release() }
        var groupConfiguration = ServiceGroupConfiguration(
            services: parts.services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm],
            cancellationSignals: [.sigint],
            logger: logger
        )
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(configuration.drainTimeoutSeconds)
        try await ServiceGroup(configuration: groupConfiguration).run()
    }
}
