import Foundation
import CShim
import Glibc
import Synchronization

/// Watches `incoming/` with inotify on a dedicated thread and wakes the intake loop.
///
/// Events are hints: names from IN_MOVED_TO and IN_CLOSE_WRITE are complete files; an IN_Q_OVERFLOW, the
/// rescan timer and start-up ask for a full rescan instead. The thread also ticks once per `tick` so the
/// intake loop runs (and proves it is alive to the watchdog) even when nothing arrives.
public final class SpoolWatcher: Sendable {
    /// What accumulated since the intake loop last looked.
    public struct Pending: Sendable {
        public var names: [String] = []
        public var rescan = false
    }

    private let directory: String
    private let state = Mutex(Pending())
    private let wakeups: AsyncStream<Void>
    private let wakeupContinuation: AsyncStream<Void>.Continuation
    private let inotifyFD: Int32
    private let stopPipe: (read: Int32, write: Int32)
    private let rescanInterval: Double
    private let tick: Double

    /// Watches `directory` from now on (the kernel queues events); `start()` runs the thread that reads them.
    /// The first wake-up asks for a rescan.
    public init(directory: String, rescanInterval: Double, tick: Double = 1) throws {
        self.directory = directory
        self.rescanInterval = rescanInterval
        self.tick = tick
        (wakeups, wakeupContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let fd = try systemCall("inotify_init1", directory) { inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK)) }
        let mask = UInt32(IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR)
        do {
            try systemCall("inotify_add_watch", directory) { inotify_add_watch(fd, directory, mask) }
        } catch {
            close(fd)
            throw error
        }
        inotifyFD = fd
        var fds: [Int32] = [0, 0]
        try systemCall("pipe2", directory) { cshim_pipe2(&fds, O_CLOEXEC | O_NONBLOCK) }
        stopPipe = (fds[0], fds[1])
        state.withLock { $0.rescan = true }
        wakeupContinuation.yield()
    }

    private let started = Atomic<Bool>(false)

    /// Starts the thread (named `herald-inotify`) that turns inotify events and rescan ticks into wake-ups; idempotent.
    public func start() {
        guard started.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        let thread = Thread { [self] in self.loop() }
        thread.start()
    }

    /// One element per wake-up; consecutive wake-ups coalesce.
    public var signals: AsyncStream<Void> { wakeups }

    /// Takes everything accumulated since the last call.
    public func takePending() -> Pending {
        state.withLock { pending in
            defer { pending = Pending() }
            return pending
        }
    }

    /// Asks for a rescan at the next wake-up (after a failure, say).
    public func requestRescan() {
        state.withLock { $0.rescan = true }
        wakeupContinuation.yield()
    }

    /// Stops the thread and ends `signals`.
    public func stop() {
        var byte: UInt8 = 1
        _ = write(stopPipe.write, &byte, 1)
    }

    private func loop() {
        // Foundation's Thread.name does not reach the kernel on Linux; this is what `top -H` and /proc show.
        _ = cshim_name_current_thread("herald-inotify")
        defer {
            close(inotifyFD)
            close(stopPipe.read)
            close(stopPipe.write)
            wakeupContinuation.finish()
        }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var nextRescan = monotonicSeconds() + rescanInterval
        while true {
            var fds = [pollfd(fd: inotifyFD, events: Int16(POLLIN), revents: 0), pollfd(fd: stopPipe.read, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, Int32(tick * 1000))
            if ready < 0 && errno != EINTR { return }
            if fds[1].revents != 0 { return }
            if fds[0].revents != 0 { drain(&buffer) }
            let now = monotonicSeconds()
            if now >= nextRescan {
                state.withLock { $0.rescan = true }
                nextRescan = now + rescanInterval
            }
            wakeupContinuation.yield()
        }
    }

    /// Reads all queued inotify events into the pending set.
    private func drain(_ buffer: inout [UInt8]) {
        while true {
            let count = buffer.withUnsafeMutableBytes { read(inotifyFD, $0.baseAddress!, $0.count) }
            if count <= 0 { return }
            var offset = 0
            var names: [String] = []
            var overflow = false
            buffer.withUnsafeBytes { raw in
                while offset + MemoryLayout<inotify_event>.size <= count {
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    let nameStart = offset + MemoryLayout<inotify_event>.size
                    if event.mask & UInt32(IN_Q_OVERFLOW) != 0 { overflow = true }
                    if event.len > 0 {
                        let bytes = raw[nameStart..<(nameStart + Int(event.len))].prefix { $0 != 0 }
                        names.append(String(decoding: bytes, as: UTF8.self))
                    }
                    offset = nameStart + Int(event.len)
                }
            }
            state.withLock { pending in
                pending.names.append(contentsOf: names)
                if overflow { pending.rescan = true }
            }
        }
    }

    private func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
