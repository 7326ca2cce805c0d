/// One card of a carousel: a title, optional subtitle, image and tap URL, and up to three buttons.
///
/// On Telegram a card becomes a photo with the title and subtitle as caption and the buttons as an inline keyboard.
public struct Card: Sendable, Hashable, Codable {
    public var title: TemplateText
    public var subtitle: TemplateText?
    public var imageURL: WebURL?
    public var url: WebURL?
    public var buttons: [Button]

    static func parse(_ node: JSONNode, limits: PlatformLimits) throws(JobValidationError) -> Card {
        var fields = try node.object()
        let title = try TemplateText.parse(try fields.required("title"), maxLength: limits.cardTitle)
        let subtitle = try fields.optional("subtitle").map { node throws(JobValidationError) in try TemplateText.parse(node, maxLength: limits.cardSubtitle) }
        let imageURL = try fields.optional("image_url").map { node throws(JobValidationError) in try WebURL.parse(node) }
        let url = try fields.optional("url").map { node throws(JobValidationError) in try WebURL.parse(node) }
        let buttons = try Button.parseList(fields.optional("buttons"), max: limits.buttonsPerCard, limits: limits)
        try fields.finish()
        if subtitle == nil, imageURL == nil, url == nil, buttons.isEmpty {
            throw node.error("incomplete_card", "a card needs a title and at least one of subtitle, image_url, url or buttons")
        }
        return Card(title: title, subtitle: subtitle, imageURL: imageURL, url: url, buttons: buttons)
    }
}
