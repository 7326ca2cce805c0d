import Foundation

/// Turns feed items into a message: the built-in text and card layouts, or a custom layout whose texts and URLs
/// use `{{item.title}}`, `{{item.link}}`, `{{item.summary}}`, `{{item.image}}`, `{{item.price}}`, `{{item.date}}`.
///
/// Item values are fixed when the campaign is created (they are the same for everyone); subscriber variables
/// (`{{first_name}}`) stay templates, filled in per recipient at send time.
public enum FeedLayout {
    /// The item fields a custom layout may use.
    public static let fields = ["title", "link", "summary", "image", "price", "date", "feed_title"]
    /// Stands for an item field inside a custom layout's text, while it is validated and stored.
    static func textSentinel(_ field: String) -> String { "\u{27E6}item.\(field)\u{27E7}" }
    /// Stands for an item URL (a whole URL field that is `{{item.link}}` or `{{item.image}}`).
    static func urlSentinel(_ field: String) -> String { "https://item.invalid/\(field)" }

    /// The custom layout's JSON with each `{{item.X}}` replaced by its sentinel, so that it validates as a
    /// message; an unknown item field is an error at its path.
    public static func withSentinels(_ node: JSONNode) throws(JobValidationError) -> JSONNode {
        JSONNode(try replacingItemTags(node), path: node.path)
    }

    private static func replacingItemTags(_ node: JSONNode) throws(JobValidationError) -> JSONValue {
        switch node.value {
        case .string(let text):
            guard text.contains("{{") else { return node.value }
            let whole = text.trimmingCharacters(in: .whitespaces)
            if whole == "{{item.link}}" || whole == "{{item.image}}" { return .string(urlSentinel(whole == "{{item.link}}" ? "link" : "image")) }
            var result = ""
            var rest = text[...]
            while let open = rest.range(of: "{{") {
                guard let close = rest[open.upperBound...].range(of: "}}") else { break }
                let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
                result += rest[..<open.lowerBound]
                if name.hasPrefix("item.") {
                    let field = String(name.dropFirst(5))
                    guard fields.contains(field) else {
                        throw node.error("bad_template", "unknown item field {{\(name)}}; use one of \(fields.map { "item.\($0)" }.joined(separator: ", "))")
                    }
                    result += textSentinel(field)
                } else {
                    result += rest[open.lowerBound..<close.upperBound]
                }
                rest = rest[close.upperBound...]
            }
            return .string(result + rest)
        case .array(let elements):
            var out: [JSONValue] = []
            for (index, element) in elements.enumerated() { out.append(try replacingItemTags(JSONNode(element, path: node.path.appending(index)))) }
            return .array(out)
        case .object(let object):
            var out = JSONObject()
            for key in object.keys { out.insert(key, try replacingItemTags(JSONNode(object[key]!, path: node.path.appending(key)))) }
            return .object(out)
        default:
            return node.value
        }
    }

    /// The message for one item (`each` mode) or for several (`digest` mode, oldest first).
    public static func content(for items: [FeedItem], layout: FeedJob.Layout, platform: Platform, feedTitle: String, digest: Bool) -> MessageContent? {
        guard !items.isEmpty else { return nil }
        let limits = platform.limits
        switch layout {
        case .text:
            return digest ? digestText(items, limits: limits, feedTitle: feedTitle) : itemText(items[0], limits: limits)
        case .card:
            let cards = items.suffix(limits.cards).map { card($0, limits: limits) }
            return MessageContent(modules: [.cards(cards)])
        case .custom(let template):
            var modules: [ContentModule] = []
            for item in items {
                for module in template.modules { if let filled = fill(module, item: item, limits: limits, feedTitle: feedTitle) { modules.append(filled) } }
            }
            guard !modules.isEmpty else { return nil }
            // A digest repeats the layout per item; a message carries at most ten modules, the newest items win.
            return MessageContent(modules: Array(modules.suffix(MessageContent.maxModules)), quickReplies: template.quickReplies)
        }
    }

    /// The label of the button that opens an item.
    static let readMore = "Read more"

    static func itemText(_ item: FeedItem, limits: PlatformLimits) -> MessageContent {
        let button = httpsURL(item.link).map { Button.url(title: TemplateText(unchecked: readMore), url: $0) }
        let limit = button == nil ? limits.text : limits.textWithButtons
        var lines = [item.title]
        if let price = item.price, !price.isEmpty { lines.append(price) }
        // An http link cannot be a button (platforms want https): it goes in the text, where clients link it.
        if button == nil, let link = item.link { lines.append(link) }
        let head = lines.joined(separator: "\n")
        var text = head
        if !item.summary.isEmpty {
            let room = limit - head.utf16.count - 2
            if room > 20 { text += "\n\n" + TextFitting.fit(item.summary, utf16Limit: room) }
        }
        return MessageContent(modules: [.text(literal(TextFitting.fit(text, utf16Limit: limit)), buttons: button.map { [$0] } ?? [])])
    }

    static func digestText(_ items: [FeedItem], limits: PlatformLimits, feedTitle: String) -> MessageContent {
        var text = feedTitle.isEmpty ? "New:" : "New on \(feedTitle):"
        for item in items {
            let entry = "\n\n• " + item.title + (item.link.map { "\n" + $0 } ?? "")
            // Whole entries only: a cut link would lead nowhere.
            guard text.utf16.count + entry.utf16.count <= limits.text else { break }
            text += entry
        }
        return MessageContent(modules: [.text(literal(TextFitting.fit(text, utf16Limit: limits.text)), buttons: [])])
    }

    static func card(_ item: FeedItem, limits: PlatformLimits) -> Card {
        let link = httpsURL(item.link)
        let subtitle = [item.price, item.summary.isEmpty ? nil : item.summary].compactMap { $0 }.joined(separator: " · ")
        var buttons: [Button] = []
        if let link { buttons.append(.url(title: TemplateText(unchecked: readMore), url: link)) }
        return Card(
            title: literal(TextFitting.fit(item.title, utf16Limit: limits.cardTitle)),
            // A card needs one of subtitle, image, url or buttons: the title alone is given as the subtitle.
            subtitle: literal(TextFitting.fit(subtitle.isEmpty && link == nil && item.imageURL == nil ? item.title : subtitle, utf16Limit: limits.cardSubtitle))
                .nonEmpty,
            imageURL: httpsURL(item.imageURL), url: link, buttons: buttons
        )
    }

    static func fill(_ module: ContentModule, item: FeedItem, limits: PlatformLimits, feedTitle: String) -> ContentModule? {
        let values = values(item, feedTitle: feedTitle)
        func text(_ template: TemplateText, limit: Int) -> TemplateText { substitute(template, values: values, limit: limit) }
        switch module {
        case .text(let template, let buttons):
            let filled = buttons.compactMap { fill($0, item: item, values: values, limits: limits) }
            return .text(text(template, limit: filled.isEmpty ? limits.text : limits.textWithButtons), buttons: filled)
        case .media(let kind, let url, let caption):
            guard let url = resolve(url, item: item) else { return nil }
            return .media(kind, url: url, caption: caption.map { text($0, limit: limits.caption) })
        case .cards(let cards):
            return .cards(cards.map { card in
                Card(
                    title: text(card.title, limit: limits.cardTitle), subtitle: card.subtitle.map { text($0, limit: limits.cardSubtitle) },
                    imageURL: card.imageURL.flatMap { resolve($0, item: item) }, url: card.url.flatMap { resolve($0, item: item) },
                    buttons: card.buttons.compactMap { fill($0, item: item, values: values, limits: limits) }
                )
            })
        }
    }

    static func fill(_ button: Button, item: FeedItem, values: [String: String], limits: PlatformLimits) -> Button? {
        switch button {
        case .url(let title, let url):
            guard let url = resolve(url, item: item) else { return nil }
            return .url(title: substitute(title, values: values, limit: limits.buttonTitle), url: url)
        case .postback(let title, let payload):
            return .postback(title: substitute(title, values: values, limit: limits.buttonTitle), payload: payload)
        }
    }

    static func values(_ item: FeedItem, feedTitle: String) -> [String: String] {
        [
            "title": item.title, "link": item.link ?? "", "summary": item.summary, "image": item.imageURL ?? "", "price": item.price ?? "",
            "date": item.published.map { ISO8601DateFormatter.string(from: $0, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate]) } ?? "",
            "feed_title": feedTitle,
        ]
    }

    /// A URL sentinel replaced by the item's URL (nil when the item has none that is https), other URLs kept.
    static func resolve(_ url: WebURL, item: FeedItem) -> WebURL? {
        switch url.string {
        case urlSentinel("link"): httpsURL(item.link)
        case urlSentinel("image"): httpsURL(item.imageURL)
        default: url
        }
    }

    /// The template with item sentinels replaced by values; when the result is over `limit`, the longest value
    /// (the summary, usually) is shortened by the overflow.
    static func substitute(_ template: TemplateText, values: [String: String], limit: Int) -> TemplateText {
        let source = template.source
        guard source.contains("\u{27E6}item.") else { return template }
        var values = values.mapValues(neutralised)
        func render() -> String {
            var text = source
            for (field, value) in values { text = text.replacingOccurrences(of: textSentinel(field), with: value) }
            return text
        }
        var text = render()
        let overflow = text.utf16.count - limit
        if overflow > 0, let longest = values.max(by: { $0.value.utf16.count < $1.value.utf16.count }) {
            values[longest.key] = TextFitting.fit(longest.value, utf16Limit: max(0, longest.value.utf16.count - overflow))
            text = TextFitting.fit(render(), utf16Limit: limit)
        }
        return TemplateText(unchecked: text)
    }

    /// Feed text as a template that renders as itself: `{{` in it would otherwise be read as a tag.
    static func literal(_ text: String) -> TemplateText { TemplateText(unchecked: neutralised(text)) }

    static func neutralised(_ text: String) -> String {
        text.contains("{{") ? text.replacingOccurrences(of: "{{", with: "{\u{200B}{") : text
    }

    /// The URL when it is one a platform accepts (https, well formed).
    static func httpsURL(_ text: String?) -> WebURL? {
        guard let text, WebURL.problem(with: text, allowHTTP: false) == nil else { return nil }
        return WebURL(string: text)
    }
}

extension TemplateText {
    /// Nil for text that is only whitespace.
    fileprivate var nonEmpty: TemplateText? { source.allSatisfy(\.isWhitespace) ? nil : self }
}
