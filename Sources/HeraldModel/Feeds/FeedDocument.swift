/// A parsed feed: its own title and link, and its items in the order the feed lists them.
public struct FeedDocument: Sendable, Hashable {
    /// What the source turned out to be.
    public enum Format: String, Sendable, Hashable {
        case rss090 = "RSS 0.90", rss091 = "RSS 0.91/0.92", rss10 = "RSS 1.0", rss20 = "RSS 2.0", atom10 = "Atom 1.0", jsonFeed = "JSON Feed"
    }

    public var format: Format
    public var title: String
    public var link: String?
    public var items: [FeedItem]

    public init(format: Format, title: String, link: String? = nil, items: [FeedItem]) {
        self.format = format
        self.title = title
        self.link = link
        self.items = items
    }
}
