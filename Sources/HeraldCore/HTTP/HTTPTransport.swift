/// An HTTP request as the channels build it.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [String]
    public var body: [UInt8]
    /// Overrides the transport's request timeout (a long poll waits longer than a send may).
    public var timeoutSeconds: Int?

    public init(method: String = "POST", url: String, headers: [String] = ["Content-Type: application/json"], body: [UInt8] = [], timeoutSeconds: Int? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutSeconds = timeoutSeconds
    }
}

/// What came back: a response, or a transport failure that says whether the request may have reached the server.
public enum HTTPResult: Sendable, Equatable {
    case response(status: Int, body: [UInt8])
    /// `requestSent` is true when any of the request may have reached the server before the failure (a timeout
    /// waiting for the answer, a connection that died after taking it): the platform may have acted on it, so
    /// the outcome is uncertain.
    case failure(reason: String, requestSent: Bool)
}

/// Sends HTTP requests; the seam between channels and the network.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async -> HTTPResult
    /// Sends without a task for the caller to keep: `completion` runs with the result, on a thread of the
    /// transport's. Returns the id `cancel` takes.
    @discardableResult
    func send(_ request: HTTPRequest, completion: @escaping @Sendable (HTTPResult) -> Void) -> Int
    /// Abandons a call sent with a completion: it completes at once, saying whether any of it may have arrived.
    func cancel(_ id: Int)
    /// Starts whatever the transport runs on (its thread); idempotent.
    func start()
    /// Finishes what is in flight and releases the transport.
    func shutdown() async
}

extension HTTPTransport {
    public func start() {}
    public func shutdown() async {}
}
