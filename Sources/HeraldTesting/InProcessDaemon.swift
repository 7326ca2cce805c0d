import HeraldCore
import Logging
import ServiceLifecycle

/// The daemon's real services run in this process, for tests and benchmarks.
public enum InProcessDaemon {
    /// Runs the services with `configuration` until `body` returns, then shuts them down gracefully.
    public static func run(_ configuration: Configuration, _ body: (Daemon.Parts) async throws -> Void) async throws {
        var logger = Logger(label: "herald-in-process")
        logger.logLevel = .critical
        let parts = try Daemon.makeParts(configuration: configuration, configurationPath: nil, logger: logger, environment: [:])
        let group = ServiceGroup(services: parts.services, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                while !parts.status.line.hasPrefix("ready") { try await Task.sleep(for: .milliseconds(2)) }
                try await body(parts)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        parts.lock.release()
    }
}
