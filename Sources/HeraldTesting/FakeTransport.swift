import HeraldCore
import Synchronization

/// An HTTP transport that answers from a closure and records every request: the seam under the channels,
/// for tests of the shells that need no platform server (the wire formats are the server's job).
public final class FakeTransport: HTTPTransport, Sendable {
    private let answer: @Sendable (HTTPRequest) -> HTTPResult
    private let sent = Mutex<[HTTPRequest]>([])

    /// `answer` decides each response; by default a Telegram `ok` with a fresh message id.
    public init(answer: @escaping @Sendable (HTTPRequest) -> HTTPResult = FakeTransport.telegramOK) {
        self.answer = answer
    }

    public func send(_ request: HTTPRequest) async -> HTTPResult {
        sent.withLock { $0.append(request) }
        return answer(request)
    }

    /// Answers at once, on the caller's thread.
    @discardableResult
    public func send(_ request: HTTPRequest, completion: @escaping @Sendable (HTTPResult) -> Void) -> Int {
        let id = sent.withLock { sent in
            sent.append(request)
            return sent.count
        }
        completion(answer(request))
        return id
    }

    /// Nothing to abandon: every call was answered when it was made.
    public func cancel(_ id: Int) {}

    /// Every request so far, in order.
    public var requests: [HTTPRequest] { sent.withLock { $0 } }

    /// Telegram's success body for any call.
    public static let telegramOK: @Sendable (HTTPRequest) -> HTTPResult = { _ in
        .response(status: 200, body: Array(#"{"ok":true,"result":{"message_id":1,"date":0,"chat":{"id":1,"type":"private"}}}"#.utf8))
    }
}
