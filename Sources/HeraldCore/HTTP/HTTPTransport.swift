import Foundation

/// An HTTP request as the channels build it.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [String]
    public var body: [UInt8]
    /// Overrides the transport's request timeout (a long poll waits longer than a send may).
    public var timeoutSeconds: Int?
    /// Overrides the transport's cap on the response body (after decompression).
    public var maxResponseBytes: Int?
    /// Redirects followed (http and https only); 0 returns the redirect itself.
    public var maxRedirects = 0

    public init(
        method: String = "POST", url: String, headers: [String] = ["Content-Type: application/json"], body: [UInt8] = [], timeoutSeconds: Int? = nil,
        maxResponseBytes: Int? = nil, maxRedirects: Int = 0
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutSeconds = timeoutSeconds
        self.maxResponseBytes = maxResponseBytes
        self.maxRedirects = maxRedirects
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

/// A response with its headers and the URL it finally came from (after redirects), for fetches that need them.
public struct FetchedResponse: Sendable, Equatable {
    public var status: Int
    /// Header lines of the final response, as `Name: value`.
    public var headers: [String]
    public var body: [UInt8]
    public var url: String

    public init(status: Int, headers: [String] = [], body: [UInt8], url: String) {
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url
    }

    /// The last value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        let prefix = name.lowercased() + ":"
        return headers.last { $0.lowercased().hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces) }
    }
}

/// Sends HTTP requests; the seam between channels and the network.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async -> HTTPResult
    /// Sends without a task for the caller to keep: `completion` runs with the result, on a thread of the
    /// transport's. Returns the id `cancel` takes.
    @discardableResult
    func send(_ request: HTTPRequest, completion: @escaping @Sendable (HTTPResult) -> Void) -> Int
    /// As `send(_:completion:)`; `completion` also gets how many seconds before the result the request was written
    /// (nil when it was not, or the transport cannot tell): platforms count a call when it arrives, and a caller
    /// bounding what they counted needs to know when it left.
    @discardableResult
    func send(_ request: HTTPRequest, timedCompletion: @escaping @Sendable (HTTPResult, Double?) -> Void) -> Int
    /// Abandons a call sent with a completion: it completes at once, saying whether any of it may have arrived.
    func cancel(_ id: Int)
    /// Sends a request and returns the final response's headers and URL too (feeds: validators, redirects).
    func fetch(_ request: HTTPRequest) async -> Result<FetchedResponse, HTTPFetchFailure>
    /// Starts whatever the transport runs on (its thread); idempotent.
    func start()
    /// Finishes what is in flight and releases the transport.
    func shutdown() async
}

/// Why a fetch got no response.
public struct HTTPFetchFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
    public init(_ reason: String) { self.reason = reason }
}

extension HTTPTransport {
    /// Without headers: for transports that only send.
    public func fetch(_ request: HTTPRequest) async -> Result<FetchedResponse, HTTPFetchFailure> {
        switch await send(request) {
        case .response(let status, let body): .success(FetchedResponse(status: status, body: body, url: request.url))
        case .failure(let reason, _): .failure(HTTPFetchFailure(reason))
        }
    }

    @discardableResult
    public func send(_ request: HTTPRequest, timedCompletion: @escaping @Sendable (HTTPResult, Double?) -> Void) -> Int {
        send(request) { timedCompletion($0, nil) }
    }

    public func start() {}
    public func shutdown() async {}
}
