import ServiceLifecycle

/// The HTTP transport's lifetime in the daemon's `ServiceGroup`: listed before the services that send, so it
/// starts first and, since a group shuts down in reverse order, stops after them, once their calls are done.
public struct TransportService: Service {
    public let transport: any HTTPTransport

    public init(_ transport: any HTTPTransport) { self.transport = transport }

    public func run() async throws {
        transport.start()
        // Cancelled or shut down, the transport finishes (or abandons, for cancelled callers) what is in flight.
        try? await gracefulShutdown()
        await transport.shutdown()
    }
}
