import Foundation

/// The shop's own website beside the platforms: a blog whose RSS 2.0 feed (`/site/blog.xml`) Herald's feed
/// automation polls, and which the demo adds a post to while it runs.
struct SimulatedWebsite: Sendable {
    struct Post: Sendable {
        var slug: String
        var title: String
        var summary: String
        var published: Date
    }

    var posts: [Post]
    /// Changes with every post, as the feed's ETag.
    var version = 1

    init(now: Date) {
        posts = [
            Post(slug: "spring-collection", title: "How we picked this spring's collection", summary: "<p>Three designers, <b>forty</b> fabrics and one rule.</p>", published: now.addingTimeInterval(-3 * 86_400)),
            Post(slug: "care-guide", title: "Make your linen last: a care guide", summary: "<p>Wash cold, dry flat &amp; never iron it bone-dry.</p>", published: now.addingTimeInterval(-2 * 86_400)),
            Post(slug: "store-opening", title: "Our second store opens in Turin", summary: "<p>Via Roma 12, from Saturday at 10:00.</p>", published: now.addingTimeInterval(-86_400)),
        ]
    }

    mutating func publish(title: String, summary: String, now: Date) {
        let slug = title.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }.reduce(into: "") { $0.append($1) }
        posts.append(Post(slug: slug, title: title, summary: summary, published: now))
        version += 1
    }

    /// The feed, newest first, as a blog engine writes it: HTML descriptions in CDATA, RFC 822 dates.
    func rss() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let items = posts.reversed().map { post in
            """
              <item>
                <title>\(escape(post.title))</title>
                <link>https://shop.example.com/blog/\(post.slug)</link>
                <guid isPermaLink="true">https://shop.example.com/blog/\(post.slug)</guid>
                <pubDate>\(formatter.string(from: post.published))</pubDate>
                <description><![CDATA[\(post.summary)]]></description>
              </item>
            """
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0">
            <channel>
              <title>Shop blog</title>
              <link>https://shop.example.com/blog</link>
              <description>News from Shop</description>
            \(items.joined(separator: "\n"))
            </channel>
            </rss>
            """
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
