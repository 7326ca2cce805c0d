import Logging
import ServiceLifecycle

/// Pings the systemd watchdog at half of `WATCHDOG_USEC`, but only while the intake and dispatcher loops'
/// heartbeats are fresh, so a hung loop stops the pings and systemd restarts the daemon. Also refreshes STATUS=.
///
/// Owns nothing but its timer. On graceful shutdown it sends STOPPING=1 and returns.
public struct WatchdogService<C: Clock>: Service where C.Duration == Duration {
    let notifier: SystemdNotifier
    let status: DaemonStatus
    let clock: C
    let logger: Logger
    let interval: Duration?
    let statusPeriod: Duration
    /// The loops that must beat.
    let required: Set<DaemonStatus.Loop>

    public init(
        notifier: SystemdNotifier, status: DaemonStatus, clock: C, logger: Logger, interval: Duration?, statusPeriod: Duration = .seconds(5),
        required: Set<DaemonStatus.Loop> = Set(DaemonStatus.Loop.allCases)
    ) {
        self.required = required
        self.notifier = notifier
        self.status = status
        self.clock = clock
        self.logger = logger
        self.interval = interval
        self.statusPeriod = statusPeriod
    }

    public func run() async throws {
        let period = interval.map { min($0 / 2, statusPeriod) } ?? statusPeriod
        var warned = false
        while !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await clock.sleep(for: period) }
            } catch {
                break
            }
            if let interval {
                let stalled = status.stalledLoops(within: interval / 2, required: required)
                if stalled.isEmpty {
                    notifier.watchdog()
                    warned = false
                } else if !warned {
                    let names = stalled.map(\.rawValue).joined(separator: " and ")
                    logger.critical("\(names) loop has not run for half the watchdog interval; withholding WATCHDOG=1", metadata: ["event": "watchdog_stalled"])
                    warned = true
                }
            }
            notifier.status(status.line)
        }
        // The last service in the group is the first to hear of a shutdown: tell systemd the drain has begun.
        status.setPhase("draining")
        notifier.stopping(status: status.line)
    }
}
