import Foundation
import Logging
import ServiceLifecycle

/// Builds the daemon: every long-running loop is a `Service` in one `ServiceGroup`, in dependency order
/// (shutdown runs in reverse, so the watchdog announces STOPPING=1 first and the intake drains last).
///
/// ```swift
/// let group = try Daemon.makeServiceGroup(configuration: configuration, configurationPath: path, logger: logger)
/// try await group.run()
/// ```
public enum Daemon {
    /// The services of a running daemon, wired to the store, the spool and systemd.
    public static func makeServiceGroup(
        configuration: Configuration, configurationPath: String?, logger: Logger,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ServiceGroup {
        try FileManager.default.createDirectory(atPath: configuration.stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        let store = try HeraldStore(path: configuration.databasePath)
        let holder = ConfigurationHolder(configuration)
        let status = DaemonStatus()
        let notifier = SystemdNotifier()
        let intake = try SpoolIntake(
            spool: SpoolDirectory(root: configuration.spoolDirectory), store: store, settings: holder,
            status: status, notifier: notifier, logger: logger
        )
        let reloader = ConfigurationReloader(
            holder: holder, loader: ConfigurationLoader(environment: environment), path: configurationPath,
            notifier: notifier, status: status, logger: logger
        )
        let watchdog = WatchdogService(
            notifier: notifier, status: status, clock: ContinuousClock(), logger: logger, interval: notifier.watchdogInterval()
        )
        var groupConfiguration = ServiceGroupConfiguration(
            services: [.init(service: intake), .init(service: reloader), .init(service: watchdog)],
            gracefulShutdownSignals: [.sigterm],
            cancellationSignals: [.sigint],
            logger: logger
        )
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(configuration.drainTimeoutSeconds)
        return ServiceGroup(configuration: groupConfiguration)
    }
}
