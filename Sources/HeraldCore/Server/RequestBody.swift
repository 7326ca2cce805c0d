import Hummingbird
import NIOCore

/// A request's body read whole, within a byte limit and a time limit, or the error response that says why not.
enum RequestBody {
    enum Collected {
        case success(ByteBuffer)
        case failure(Response)
    }

    /// A body dripped in slowly gets 408 after `timeout` seconds, not a handler for ever; one over `limit` 413.
    static func collect(_ request: Request, limit: Int, timeout: Int, limitName: String) async -> Collected {
        do {
            let read: ByteBuffer? = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
                group.addTask {
                    var request = request
                    return try await request.collectBody(upTo: limit)
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(timeout))
                    return nil
                }
                let first = try await group.next()!
                group.cancelAll()
                return first
            }
            guard let body = read else {
                return .failure(JSONResponse.error(.requestTimeout, "request_timeout", "the body did not arrive within \(timeout) s"))
            }
            guard body.readableBytes > 0 else { return .failure(JSONResponse.error(.badRequest, "empty_body", "the request has no body")) }
            return .success(body)
        } catch is NIOTooManyBytesError {
            return .failure(JSONResponse.error(.contentTooLarge, "body_too_large", "the body is larger than \(limitName) (\(limit))"))
        } catch {
            return .failure(JSONResponse.error(.badRequest, "unreadable_body", "the body could not be read: \(error)"))
        }
    }
}
