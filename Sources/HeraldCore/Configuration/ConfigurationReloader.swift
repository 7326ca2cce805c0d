import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Reloads the configuration on SIGHUP without losing work: RELOADING=1, parse, swap, READY=1.
///
/// A configuration that fails to load is logged and the one in force stays. Spool and state directories
/// cannot move while running, nor can the HTTP client's settings; a change to them is reported and applies at the
/// next restart.
/// Stops on graceful shutdown.
public final class ConfigurationReloader: Service, Sendable {
    let holder: ConfigurationHolder
    let loader: ConfigurationLoader
    let path: String?
    let notifier: SystemdNotifier
    let status: DaemonStatus
    let logger: Logger
    /// Applied to every freshly loaded configuration: the command line's overrides.
    let adjust: @Sendable (inout Configuration) -> Void
    /// SIGHUP, trapped before the daemon reports READY=1 so an early reload cannot kill it.
    let hangups: UnixSignalsSequence?
    /// Reloads made since the daemon started, for `reload.json`.
    private let reloads = Mutex(0)

    public init(
        holder: ConfigurationHolder, loader: ConfigurationLoader, path: String?, notifier: SystemdNotifier, status: DaemonStatus,
        logger: Logger, hangups: UnixSignalsSequence? = nil, adjust: @escaping @Sendable (inout Configuration) -> Void = { _ in }
    ) {
        self.hangups = hangups
        self.adjust = adjust
        self.holder = holder
        self.loader = loader
        self.path = path
        self.notifier = notifier
        self.status = status
        self.logger = logger
    }

    public func run() async throws {
        var signals = hangups
        if signals == nil { signals = await UnixSignalsSequence(trapping: .sighup) }
        guard let signals else { return }
        for await _ in signals.cancelOnGracefulShutdown() {
            reload()
        }
    }

    /// Loads the file again and swaps it in if it is valid; the outcome goes to the journal and to `reload.json`.
    public func reload() {
        notifier.reloading()
        defer { notifier.notify("READY=1\nSTATUS=\(status.line)") }
        let old = holder.configuration
        var failure: String?
        do {
            var fresh = try loader.load(path: path)
            adjust(&fresh)
            if fresh.spoolDirectory != old.spoolDirectory || fresh.stateDirectory != old.stateDirectory {
                logger.warning("spool_dir and state_dir changes need a restart; keeping \(old.spoolDirectory) and \(old.stateDirectory)", metadata: ["event": "reload"])
                fresh.spoolDirectory = old.spoolDirectory
                fresh.stateDirectory = old.stateDirectory
            }
            let transport = { (c: Configuration) in [c.dispatch.maxConnections, c.dispatch.requestTimeoutSeconds] }
            if transport(fresh) != transport(old) || fresh.dispatch.caFile != old.dispatch.caFile {
                logger.warning("max_connections, request_timeout_seconds and ca_file changes apply at the next restart (the HTTP client keeps its connections)", metadata: ["event": "reload"])
            }
            holder.replace(with: fresh)
            let accounts = fresh.accounts.keys.sorted().joined(separator: ", ")
            logger.notice("configuration reloaded from \(path ?? "embedded defaults"); accounts: \(accounts)", metadata: ["event": "reload"])
        } catch {
            failure = "\(error)"
            logger.error("configuration reload failed, keeping the one in force: \(error)", metadata: ["event": "reload_failed"])
        }
        let count = reloads.withLock { count in
            count += 1
            return count
        }
        do {
            try ReloadRecord(pid: getpid(), count: count, ok: failure == nil, error: failure).write(stateDirectory: old.stateDirectory)
        } catch {
            logger.warning("cannot write \(ReloadRecord.path(stateDirectory: old.stateDirectory)); herald reload cannot tell the outcome: \(error)", metadata: ["event": "reload"])
        }
    }
}
