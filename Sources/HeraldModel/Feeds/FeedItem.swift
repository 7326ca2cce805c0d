import Foundation

/// One entry of a feed (a post, a product), reduced to the fields a message can use.
public struct FeedItem: Sendable, Hashable, Codable {
    /// Identifies the item across runs: its guid or id, else its link, else a hash of its content.
    public var key: String
    public var title: String
    /// Absolute http(s) URL, resolved against the feed's URL.
    public var link: String?
    /// Plain text (HTML reduced), trimmed.
    public var summary: String
    public var imageURL: String?
    /// As the feed writes it (`19.90 EUR`, `$5`): product feeds only.
    public var price: String?
    public var published: Date?

    public init(key: String, title: String, link: String? = nil, summary: String = "", imageURL: String? = nil, price: String? = nil, published: Date? = nil) {
        self.key = key
        self.title = title
        self.link = link
        self.summary = summary
        self.imageURL = imageURL
        self.price = price
        self.published = published
    }
}
