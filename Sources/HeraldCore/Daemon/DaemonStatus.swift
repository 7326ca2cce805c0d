import Synchronization

/// Live figures shared by the services: what the STATUS line and `herald status` show,
/// and the intake loop's heartbeat that the watchdog checks.
public final class DaemonStatus: Sendable {
    struct Figures {
        var queuedFiles = 0
        var accepted = 0
        var rejected = 0
        var inFlightSends = 0
        var sendsPerSecond = 0.0
        var pausedAccounts: [String] = []
        var lastBeat: ContinuousClock.Instant?
        var phase = "starting"
    }

    private let figures = Mutex(Figures())

    public init() {}

    /// The intake loop calls this every iteration: proof that the main loop is not hung.
    public func beat(at instant: ContinuousClock.Instant = .now) {
        figures.withLock { $0.lastBeat = instant }
    }

    /// Whether the main loop has beaten within `interval` of `instant`.
    public func isAlive(within interval: Duration, at instant: ContinuousClock.Instant = .now) -> Bool {
        figures.withLock { figures in
            guard let last = figures.lastBeat else { return false }
            return instant - last <= interval
        }
    }

    public func setPhase(_ phase: String) { figures.withLock { $0.phase = phase } }

    /// The dispatcher's live figures.
    public func recordDispatch(inFlight: Int, sendsPerSecond: Double, pausedAccounts: [String] = []) {
        figures.withLock {
            $0.inFlightSends = inFlight
            $0.sendsPerSecond = sendsPerSecond
            $0.pausedAccounts = pausedAccounts.sorted()
        }
    }

    public func recordIntake(accepted: Int, rejected: Int, queued: Int) {
        figures.withLock {
            $0.accepted += accepted
            $0.rejected += rejected
            $0.queuedFiles = queued
        }
    }

    /// Totals since start: accepted and rejected files.
    public var totals: (accepted: Int, rejected: Int) { figures.withLock { ($0.accepted, $0.rejected) } }

    /// The STATUS= text: `ready: 3 files queued, 0 sends in flight, 0.0 sends/s; 12 jobs accepted, 1 rejected`.
    public var line: String {
        figures.withLock { f in
            "\(f.phase): \(f.queuedFiles) files queued, \(f.inFlightSends) sends in flight, "
                + "\(String(format: "%.1f", f.sendsPerSecond)) sends/s; \(f.accepted) jobs accepted, \(f.rejected) rejected"
                + (f.pausedAccounts.isEmpty ? "" : "; paused: \(f.pausedAccounts.joined(separator: ", "))")
        }
    }
}
