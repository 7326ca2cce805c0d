import CSystemd
import Glibc

/// Talks to the service manager through `sd_notify` (a no-op when `NOTIFY_SOCKET` is unset).
public struct SystemdNotifier: Sendable {
    /// Where messages go instead of `sd_notify`: the seam for in-process tests, which share one environment.
    let capture: (@Sendable (String) -> Void)?

    public init() { capture = nil }

    /// A notifier that hands every message to `capture` and never touches the service manager (tests).
    public init(capturingInto capture: @escaping @Sendable (String) -> Void) { self.capture = capture }

    /// Sends one or more `KEY=value` lines.
    @discardableResult
    public func notify(_ state: String) -> Bool {
        if let capture {
            capture(state)
            return true
        }
        return sd_notify(0, state) > 0
    }

    public func ready(status: String) { notify("READY=1\nSTATUS=\(status)") }

    public func status(_ text: String) { notify("STATUS=\(text)") }

    public func watchdog() { notify("WATCHDOG=1") }

    public func stopping(status: String) { notify("STOPPING=1\nSTATUS=\(status)") }

    /// RELOADING=1 with the monotonic timestamp systemd ≥ 253 expects (older ones ignore it).
    public func reloading() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let microseconds = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
        notify("RELOADING=1\nMONOTONIC_USEC=\(microseconds)\nSTATUS=reloading configuration")
    }

    /// The watchdog interval systemd asked for (`WATCHDOG_USEC`, for this process), if any.
    public func watchdogInterval() -> Duration? {
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 else { return nil }
        return .microseconds(Int64(microseconds))
    }
}
