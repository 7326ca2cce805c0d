import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Makes webhook bodies durable before they are answered. Bodies from concurrent requests are written together
/// in one transaction (a group commit), so one fsync covers many requests and the answer still means "stored".
///
/// It stops after the HTTP server (the service group stops services in reverse order), writing what is left.
public final class InboundJournal: Service, Sendable {
    /// The journal has stopped: the request is answered 503 and the platform delivers it again.
    public struct Closed: Error, CustomStringConvertible {
        public var description: String { "Herald is stopping" }
    }

    private struct Entry {
        var body: InboundBody
        var done: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var entries: [Entry] = []
        var closed = false
    }

    private let state = Mutex(State())
    private let wakeup = Wakeup()
    let store: HeraldStore
    /// Signalled after each commit, so that the processor reads what was stored.
    let written: Wakeup
    let logger: Logger
    let now: @Sendable () -> Date

    public init(store: HeraldStore, written: Wakeup, logger: Logger, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.written = written
        self.logger = logger
        self.now = now
    }

    /// Returns once `body` is committed; throws if it could not be (the caller answers 5xx).
    public func append(_ body: InboundBody) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let accepted = state.withLock { state -> Bool in
                guard !state.closed else { return false }
                state.entries.append(Entry(body: body, done: continuation))
                return true
            }
            if accepted { wakeup.signal(.jobs) } else { continuation.resume(throwing: Closed()) }
        }
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                _ = await wakeup.wait(until: nil as ContinuousClock.Instant?, clock: ContinuousClock())
                await flush()
            }
        } onGracefulShutdown: { [wakeup] in
            wakeup.signal(.shutdown)
        }
        state.withLock { $0.closed = true }
        await flush()
    }

    private func flush() async {
        let entries = state.withLock { state -> [Entry] in
            defer { state.entries = [] }
            return state.entries
        }
        guard !entries.isEmpty else { return }
        do {
            try await store.appendInbound(entries.map(\.body), now: now())
            for entry in entries { entry.done.resume() }
            written.signal(.jobs)
        } catch {
            logger.error("cannot store \(entries.count) webhook bodies; they are refused with 503 and the platform sends them again: \(error)", metadata: ["event": "inbound_error"])
            for entry in entries { entry.done.resume(throwing: error) }
        }
    }
}
