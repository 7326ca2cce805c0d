/// A quick-reply chip shown under the last module (Messenger quick replies, a one-time keyboard on Telegram).
public struct QuickReply: Sendable, Hashable, Codable {
    public var title: TemplateText
    public var payload: String

    static func parse(_ node: JSONNode, limits: PlatformLimits) throws(JobValidationError) -> QuickReply {
        var fields = try node.object()
        let title = try TemplateText.parse(try fields.required("title"), maxLength: limits.quickReplyTitle)
        let payloadNode = try fields.required("payload")
        let payload = try payloadNode.text(maxLength: limits.postbackPayloadBytes)
        if payload.utf8.count > limits.postbackPayloadBytes {
            throw payloadNode.error("too_long", "is \(payload.utf8.count) bytes long; the limit is \(limits.postbackPayloadBytes) bytes")
        }
        try fields.finish()
        return QuickReply(title: title, payload: payload)
    }
}
