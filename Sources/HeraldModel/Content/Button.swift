/// A button under a text or card: it opens a URL (tracked through Herald's redirect) or posts back a payload.
public enum Button: Sendable, Hashable, Codable {
    case url(title: TemplateText, url: WebURL)
    case postback(title: TemplateText, payload: String)

    public var title: TemplateText {
        switch self {
        case .url(let title, _), .postback(let title, _): title
        }
    }

    static func parse(_ node: JSONNode, limits: PlatformLimits) throws(JobValidationError) -> Button {
        var fields = try node.object()
        let type = try fields.required("type").oneOf(["url", "postback"])
        let title = try TemplateText.parse(try fields.required("title"), maxLength: limits.buttonTitle)
        let button: Button
        switch type {
        case "url":
            button = .url(title: title, url: try WebURL.parse(try fields.required("url")))
        default:
            let payloadNode = try fields.required("payload")
            let payload = try payloadNode.string()
            let bytes = payload.utf8.count
            if bytes == 0 { throw payloadNode.error("empty", "must not be empty") }
            if bytes > limits.postbackPayloadBytes {
                throw payloadNode.error("too_long", "is \(bytes) bytes long; the limit is \(limits.postbackPayloadBytes) bytes")
            }
            button = .postback(title: title, payload: payload)
        }
        try fields.finish()
        return button
    }

    static func parseList(_ node: JSONNode?, max: Int, limits: PlatformLimits) throws(JobValidationError) -> [Button] {
        guard let node else { return [] }
        var buttons: [Button] = []
        for element in try node.array(minCount: 1, maxCount: max) {
            buttons.append(try Button.parse(element, limits: limits))
        }
        return buttons
    }
}
