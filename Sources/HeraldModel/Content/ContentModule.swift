/// One block of a message: text (optionally with buttons), a media attachment, or a carousel of cards.
public enum ContentModule: Sendable, Hashable, Codable {
    case text(TemplateText, buttons: [Button])
    case media(MediaKind, url: WebURL, caption: TemplateText?)
    case cards([Card])

    /// The four attachment kinds both platforms accept by URL.
    public enum MediaKind: String, Sendable, Hashable, CaseIterable, Codable {
        case image, video, audio, file
    }

    static let types = ["text", "image", "video", "audio", "file", "cards"]

    static func parse(_ node: JSONNode, limits: PlatformLimits) throws(JobValidationError) -> ContentModule {
        var fields = try node.object()
        let type = try fields.required("type").oneOf(types)
        let module: ContentModule
        switch type {
        case "text":
            let buttons = try Button.parseList(fields.optional("buttons"), max: limits.buttonsPerMessage, limits: limits)
            let maxLength = buttons.isEmpty ? limits.text : limits.textWithButtons
            module = .text(try TemplateText.parse(try fields.required("text"), maxLength: maxLength), buttons: buttons)
        case "cards":
            var cards: [Card] = []
            for element in try fields.required("cards").array(minCount: 1, maxCount: limits.cards) {
                cards.append(try Card.parse(element, limits: limits))
            }
            module = .cards(cards)
        default:
            let kind = MediaKind(rawValue: type)!
            let url = try WebURL.parse(try fields.required("url"))
            let caption = try fields.optional("caption").map { node throws(JobValidationError) in try TemplateText.parse(node, maxLength: limits.caption) }
            module = .media(kind, url: url, caption: caption)
        }
        try fields.finish()
        return module
    }
}
