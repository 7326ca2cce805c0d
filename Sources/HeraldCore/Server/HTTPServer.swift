import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// Herald's HTTP server (Hummingbird 2) on `[http] listen`: webhooks, health probes, click redirects and metrics.
/// TLS belongs to a reverse proxy in front of it.
public final class HTTPServer: Service, Sendable {
    let settings: ConfigurationHolder
    let routes: WebhookRoutes
    let clickRoutes: ClickRoutes
    let metricsRoute: MetricsRoute
    let growthRoutes: GrowthRoutes
    let logger: Logger
    private let bound = Mutex<Int?>(nil)

    public init(
        settings: ConfigurationHolder, journal: InboundJournal, clicks: ClickJournal, clickToken: ClickToken, store: HeraldStore, status: DaemonStatus,
        metrics: HeraldMetrics = HeraldMetrics(), logger: Logger
    ) {
        self.settings = settings
        self.routes = WebhookRoutes(settings: settings, journal: journal, store: store, status: status, logger: logger)
        self.clickRoutes = ClickRoutes(token: clickToken, store: store, clicks: clicks, metrics: metrics)
        self.metricsRoute = MetricsRoute(metrics: metrics, store: store, settings: settings)
        let origin = ContinuousClock.now
        self.growthRoutes = GrowthRoutes(settings: settings, store: store, metrics: metrics) {
            let elapsed = ContinuousClock.now - origin
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
        self.logger = logger
    }

    /// The port the server listens on, once it does (the configured one, or the one the system chose for 0).
    public var port: Int? { bound.withLock { $0 } }

    public func run() async throws {
        let configuration = settings.configuration
        let router = Router(context: HeraldRequestContext.self)
        let origin = ContinuousClock.now
        router.add(middleware: RateLimitMiddleware(limiter: ClientRateLimiter(rate: configuration.http.requestsPerSecondPerClient)) {
            let elapsed = ContinuousClock.now - origin
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        })
        routes.register(on: router)
        clickRoutes.register(on: router)
        growthRoutes.register(on: router)
        if configuration.http.metrics { metricsRoute.register(on: router) }
        let host = configuration.listenHost, logger = logger
        let application = Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .seconds(Int64(configuration.http.idleTimeoutSeconds)))),
            configuration: .init(address: .hostname(host, port: configuration.listenPort), serverName: "herald"),
            onServerRunning: { [self] channel in
                let port = channel.localAddress?.port
                self.bound.withLock { $0 = port }
                logger.info("HTTP server listening on \(host):\(port.map(String.init) ?? "?")", metadata: ["event": "http_listening"])
            },
            logger: logger
        )
        do {
            try await application.run()
        } catch {
            throw HTTPServerError(description: "cannot serve HTTP on \(host):\(configuration.listenPort) ([http] listen): \(error)")
        }
    }
}

/// The server could not start (the address is taken, say): the daemon stops with this message.
public struct HTTPServerError: Error, CustomStringConvertible {
    public var description: String
}
