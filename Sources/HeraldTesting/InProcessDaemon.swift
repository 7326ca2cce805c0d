import Foundation
import HeraldCore
import Logging
import ServiceLifecycle

/// The daemon's real services run in this process, for tests and benchmarks.
public enum InProcessDaemon {
    /// The daemon did not report ready in time.
    public struct NotReady: Error, CustomStringConvertible {
        public var status: String
        public var description: String { "the in-process daemon did not become ready (status: \(status))" }
    }

    /// Runs the services with `configuration` until `body` returns, then shuts them down gracefully. Readiness
    /// is waited for at most `readyTimeout` seconds.
    public static func run(
        _ configuration: Configuration, logger: Logger? = nil, readyTimeout: Double = 30, feedLimits: FeedPoller<ContinuousClock>.Limits = .init(),
        _ body: (Daemon.Parts) async throws -> Void
    ) async throws {
        let logger = logger ?? {
            var quiet = Logger(label: "herald-in-process")
            quiet.logLevel = .critical
            return quiet
        }()
        let parts = try Daemon.makeParts(configuration: configuration, configurationPath: nil, logger: logger, environment: [:], feedLimits: feedLimits)
        let group = ServiceGroup(services: parts.services, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let deadline = ContinuousClock.now.advanced(by: .seconds(readyTimeout))
                while !parts.status.line.hasPrefix("ready") {
                    guard ContinuousClock.now < deadline else { throw NotReady(status: parts.status.line) }
                    try await Task.sleep(for: .milliseconds(2))
                }
                try await body(parts)
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                parts.lock.release()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        parts.lock.release()
    }
}
