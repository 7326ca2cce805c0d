import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// Closes the connection instead of sending an answer marked for it: a platform that took the request, acted on
/// it and died before a byte of its answer left (the case in which an HTTP client may quietly send the request
/// again on a fresh connection). A handler below the responder, which can only shape answers, not withhold them.
final class HangUpHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// The header field of an answer the handler replaces with a hang-up.
    static let marker = HTTPField.Name("X-Herald-Sim-Hang-Up")!

    private var hangingUp = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .head(let head) = unwrapOutboundIn(data), head.headerFields[HangUpHandler.marker] != nil {
            hangingUp = true
            context.close(promise: nil)
        }
        guard !hangingUp else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        context.write(data, promise: promise)
    }
}
