import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Makes what HTTP requests bring (webhook bodies, clicks) durable before they are answered. Items from
/// concurrent requests are written together in one transaction, so one fsync covers many requests and the
/// answer still means "stored".
///
/// It stops after the HTTP server (the service group stops services in reverse order), writing what is left.
public final class GroupCommit<Item: Sendable>: Service, Sendable {
    /// The committer has stopped: the request is answered 503 and the platform sends it again.
    public struct Closed: Error, CustomStringConvertible {
        public var description: String { "Herald is stopping" }
    }

    private struct Entry {
        var item: Item
        var done: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var entries: [Entry] = []
        var closed = false
    }

    private let state = Mutex(State())
    private let wakeup = Wakeup()
    /// What is committed, for the log ("webhook bodies").
    let what: String
    let write: @Sendable ([Item]) async throws -> Void
    /// Signalled after each commit (the inbound processor reads what was stored).
    let written: Wakeup?
    let logger: Logger

    public init(what: String, logger: Logger, written: Wakeup? = nil, write: @escaping @Sendable ([Item]) async throws -> Void) {
        self.what = what
        self.logger = logger
        self.written = written
        self.write = write
    }

    /// Returns once `item` is committed; throws if it could not be (the caller answers 5xx).
    public func append(_ item: Item) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let accepted = state.withLock { state -> Bool in
                guard !state.closed else { return false }
                state.entries.append(Entry(item: item, done: continuation))
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
            try await write(entries.map(\.item))
            for entry in entries { entry.done.resume() }
            written?.signal(.jobs)
        } catch {
            logger.error("cannot store \(entries.count) \(what); they are refused with 503 and sent again: \(error)", metadata: ["event": "inbound_error"])
            for entry in entries { entry.done.resume(throwing: error) }
        }
    }
}

/// Webhook bodies, made durable before the 200.
public typealias InboundJournal = GroupCommit<InboundBody>
/// Tracked-link fetches, made durable before the redirect.
public typealias ClickJournal = GroupCommit<ClickHit>
