import Synchronization

/// One transport call awaited by a task that may be cancelled: cancelling abandons the call (the transport
/// completes it at once), so a long poll never holds up a shutdown.
enum TransportCall {
    static func send(_ request: HTTPRequest, on transport: any HTTPTransport) async -> HTTPResult {
        let id = Mutex<Int?>(nil)
        let cancelled = Mutex(false)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<HTTPResult, Never>) in
                let call = transport.send(request) { result in continuation.resume(returning: result) }
                id.withLock { $0 = call }
                if cancelled.withLock({ $0 }) { transport.cancel(call) }
            }
        } onCancel: {
            cancelled.withLock { $0 = true }
            if let call = id.withLock({ $0 }) { transport.cancel(call) }
        }
    }
}
