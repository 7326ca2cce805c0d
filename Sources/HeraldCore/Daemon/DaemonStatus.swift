import Synchronization

/// Live figures shared by the services: what the STATUS line and `herald status` show,
/// and the heartbeats of the loops the watchdog checks.
public final class DaemonStatus: Sendable {
    struct Figures {
        var queuedFiles = 0
        var accepted = 0
        var rejected = 0
        var inFlightSends = 0
        var sendsPerSecond = 0.0
        var pausedAccounts: [String] = []
        var campaignsSending = 0
        var lastBeats: [Loop: ContinuousClock.Instant] = [:]
        var beatCounts: [Loop: Int] = [:]
        var phase = "starting"
    }

    private let figures = Mutex(Figures())

    public init() {}

    /// The loops whose heartbeats the watchdog requires.
    public enum Loop: String, Sendable, Hashable, CaseIterable {
        case intake
        case dispatcher
    }

    /// Each loop calls this every iteration (at least once a second): proof that it is not hung.
    public func beat(_ loop: Loop, at instant: ContinuousClock.Instant = .now) {
        figures.withLock {
            $0.lastBeats[loop] = instant
            $0.beatCounts[loop, default: 0] += 1
        }
    }

    /// How many times a loop has beaten since start.
    public func beats(_ loop: Loop) -> Int { figures.withLock { $0.beatCounts[loop] ?? 0 } }

    /// The loops that have not beaten within `interval` of `instant` (a loop that never beat counts as stalled
    /// once any has: the daemon is past its start).
    public func stalledLoops(within interval: Duration, at instant: ContinuousClock.Instant = .now, required: Set<Loop> = Set(Loop.allCases)) -> [Loop] {
        figures.withLock { figures in
            required.filter { loop in
                guard let last = figures.lastBeats[loop] else { return true }
                return instant - last > interval
            }.sorted { $0.rawValue < $1.rawValue }
        }
    }

    /// Whether every required loop has beaten within `interval` of `instant`.
    public func isAlive(within interval: Duration, at instant: ContinuousClock.Instant = .now, required: Set<Loop> = Set(Loop.allCases)) -> Bool {
        stalledLoops(within: interval, at: instant, required: required).isEmpty
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

    /// A dispatch housekeeping pass came back: how many campaigns the dispatcher now sends.
    public func recordHousekeeping(campaignsSending: Int) {
        figures.withLock { $0.campaignsSending = campaignsSending }
    }

    /// Campaigns the dispatcher sends (paused, scheduled and finished ones are not among them).
    public var campaignsSending: Int { figures.withLock { $0.campaignsSending } }

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
