import Foundation
import HeraldModel

/// Reads RSS 0.9x / 1.0 / 2.0, Atom 1.0 and JSON Feed 1.0 / 1.1 as they are found in the wild into a
/// `FeedDocument`: HTML reduced to text, links resolved against the feed's URL, items keyed by guid, link or hash.
///
/// ```swift
/// let feed = try FeedParser.parse(bytes, url: "https://blog.example/feed.xml")
/// ```
public enum FeedParser {
    /// At most this many items are read from one document (feeds list the newest first).
    public static let maxItems = 500
    /// Summaries longer than this are cut: no message could carry more.
    static let maxSummary = 4000

    enum Namespace {
        static let atom = "http://www.w3.org/2005/Atom"
        static let rss10 = "http://purl.org/rss/1.0/"
        static let rss090 = "http://my.netscape.com/rdf/simple/0.9/"
        static let rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
        static let dc = "http://purl.org/dc/elements/1.1/"
        static let content = "http://purl.org/rss/1.0/modules/content/"
        static let media = "http://search.yahoo.com/mrss/"
        static let google = "http://base.google.com/ns/1.0"
        static let itunes = "http://www.itunes.com/dtds/podcast-1.0.dtd"
    }

    /// Parses a fetched or local document; `url` is where it came from (after redirects), for relative links.
    public static func parse(_ bytes: [UInt8], url: String) throws(FeedParseError) -> FeedDocument {
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        while start < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[start]) { start += 1 }
        guard start < bytes.count else { throw FeedParseError("the source is empty") }
        let base = URL(string: url)
        if bytes[start] == UInt8(ascii: "{") { return try jsonFeed(Array(bytes[start...]), base: base) }
        if bytes[start] != UInt8(ascii: "<"), !bytes.starts(with: [0xFF, 0xFE]), !bytes.starts(with: [0xFE, 0xFF]) {
            throw FeedParseError("the source is neither XML nor JSON (it starts with \(describe(bytes[start...].prefix(16))))")
        }
        let root = try XMLTree.parse(bytes)
        switch (root.namespace, root.name) {
        case ("", "rss"):
            guard let channel = root.child("channel") else { throw FeedParseError("an RSS document without a <channel>") }
            let version = root.attributes["version"] ?? ""
            return rss(channel: channel, items: channel.all("item"), format: version.hasPrefix("0.9") ? .rss091 : .rss20, namespace: "", base: base)
        case (Namespace.rdf, "RDF"):
            let namespace = root.children.contains { $0.namespace == Namespace.rss090 } ? Namespace.rss090 : Namespace.rss10
            guard let channel = root.child("channel", namespace) else { throw FeedParseError("an RDF document without an RSS <channel>") }
            return rss(channel: channel, items: root.all("item", namespace), format: namespace == Namespace.rss090 ? .rss090 : .rss10, namespace: namespace, base: base)
        case (Namespace.atom, "feed"):
            return atom(root, base: base)
        case (_, "html"), (_, "HTML"):
            throw FeedParseError("the source is an HTML page, not a feed (look for its <link rel=\"alternate\" type=\"application/rss+xml\">)")
        default:
            throw FeedParseError("the XML root is <\(root.name)>\(root.namespace.isEmpty ? "" : " in \(root.namespace)"), not an RSS, RDF or Atom feed")
        }
    }

    static func describe(_ bytes: ArraySlice<UInt8>) -> String {
        let text = String(decoding: bytes, as: UTF8.self).unicodeScalars.map { $0.properties.generalCategory == .control ? "." : String($0) }.joined()
        return "\"\(text)\""
    }

    // MARK: RSS

    static func rss(channel: XMLTree.Element, items: [XMLTree.Element], format: FeedDocument.Format, namespace: String, base: URL?) -> FeedDocument {
        let feedLink = channel.value("link", namespace).flatMap { resolve($0, base: base) }
        let parsed = items.prefix(maxItems).map { item in
            let guid = item.child("guid", namespace)
            let link = (item.value("link", namespace) ?? item.value("link", Namespace.google)
                ?? (guid?.attributes["isPermaLink"] != "false" ? guid.flatMap { $0.text.contains("://") ? $0.text : nil } : nil))
                .flatMap { resolve($0, base: base) }
            let html = item.value("description", namespace) ?? item.value("description", Namespace.google) ?? item.value("encoded", Namespace.content) ?? ""
            let (summary, inlineImage) = HTMLText.reduce(html)
            let title = text(item.value("title", namespace) ?? item.value("title", Namespace.google) ?? "")
            let date = (item.value("pubDate", namespace) ?? item.value("date", Namespace.dc)).flatMap(FeedDate.parse)
            let image = self.image(item, inline: inlineImage, base: base)
            let price = item.value("sale_price", Namespace.google) ?? item.value("price", Namespace.google)
            let key = item.value("guid", namespace) ?? item.value("id", Namespace.google) ?? item.attributes["rdf:about"] ?? item.attributes["about"] ?? link
            return makeItem(key: key, title: title, link: link, summary: summary, image: image, price: price, published: date)
        }
        return FeedDocument(format: format, title: text(channel.value("title", namespace) ?? ""), link: feedLink, items: parsed)
    }

    /// The item's picture: an image enclosure, Media RSS content or thumbnail, a Google Merchant or iTunes
    /// image, else the first `<img>` of its description.
    static func image(_ item: XMLTree.Element, inline: String?, base: URL?) -> String? {
        var candidates: [String] = []
        for enclosure in item.all("enclosure") + item.all("link", Namespace.atom) where enclosure.attributes["type"]?.hasPrefix("image/") == true {
            if let url = enclosure.attributes["url"] ?? enclosure.attributes["href"] { candidates.append(url) }
        }
        let media = item.all("content", Namespace.media) + item.all("group", Namespace.media).flatMap { $0.all("content", Namespace.media) }
        for content in media where content.attributes["medium"] == "image" || content.attributes["type"]?.hasPrefix("image/") == true {
            if let url = content.attributes["url"] { candidates.append(url) }
        }
        let thumbnails = item.all("thumbnail", Namespace.media) + media.flatMap { $0.all("thumbnail", Namespace.media) }
        candidates += thumbnails.compactMap { $0.attributes["url"] }
        if let google = item.value("image_link", Namespace.google) { candidates.append(google) }
        if let itunes = item.child("image", Namespace.itunes)?.attributes["href"] { candidates.append(itunes) }
        if let inline { candidates.append(inline) }
        return candidates.lazy.compactMap { resolve($0, base: base) }.first
    }

    // MARK: Atom

    static func atom(_ feed: XMLTree.Element, base: URL?) -> FeedDocument {
        let feedBase = feed.attributes["xml:base"].flatMap { URL(string: $0, relativeTo: base)?.absoluteURL } ?? base
        let entries = feed.all("entry", Namespace.atom).prefix(maxItems).map { entry in
            let entryBase = entry.attributes["xml:base"].flatMap { URL(string: $0, relativeTo: feedBase)?.absoluteURL } ?? feedBase
            let links = entry.all("link", Namespace.atom)
            let alternate = links.first { ($0.attributes["rel"] ?? "alternate") == "alternate" } ?? links.first { $0.attributes["rel"] == nil }
            let link = alternate?.attributes["href"].flatMap { resolve($0, base: entryBase) }
            let summaryElement = entry.child("summary", Namespace.atom) ?? entry.child("content", Namespace.atom)
            let (summary, inlineImage) = summaryElement.map(atomText) ?? ("", nil)
            let title = entry.child("title", Namespace.atom).map { atomText($0).text } ?? ""
            let date = (entry.value("published", Namespace.atom) ?? entry.value("updated", Namespace.atom)).flatMap(FeedDate.parse)
            return makeItem(
                key: entry.value("id", Namespace.atom) ?? link, title: title, link: link, summary: summary,
                image: image(entry, inline: inlineImage, base: entryBase), price: nil, published: date
            )
        }
        let title = feed.child("title", Namespace.atom).map { atomText($0).text } ?? ""
        let links = feed.all("link", Namespace.atom)
        let link = (links.first { ($0.attributes["rel"] ?? "alternate") == "alternate" })?.attributes["href"].flatMap { resolve($0, base: feedBase) }
        return FeedDocument(format: .atom10, title: title, link: link, items: entries)
    }

    /// An Atom text construct: `text` as is, `html` reduced, `xhtml` from its elements.
    static func atomText(_ element: XMLTree.Element) -> (text: String, firstImage: String?) {
        switch element.attributes["type"] ?? "text" {
        case "html", "text/html": HTMLText.reduce(element.text)
        case "xhtml", "application/xhtml+xml": (HTMLText.collapse(element.deepText), nil)
        default: (HTMLText.collapse(element.text), nil)
        }
    }

    // MARK: JSON Feed

    static func jsonFeed(_ bytes: [UInt8], base: URL?) throws(FeedParseError) -> FeedDocument {
        let document: JSONValue
        do {
            document = try JSONParser(maxDepth: 16).parse(bytes)
        } catch {
            throw FeedParseError("the source is not valid JSON: \(error)")
        }
        guard case .object = document else { throw FeedParseError("a JSON Feed is an object") }
        guard let version = document["version"]?.stringValue, version.hasPrefix("https://jsonfeed.org/version/") || version.hasPrefix("http://jsonfeed.org/version/") else {
            throw FeedParseError("the JSON has no JSON Feed \"version\" (https://jsonfeed.org/version/1.1)")
        }
        guard let items = document["items"]?.arrayValue else { throw FeedParseError("a JSON Feed needs an \"items\" array") }
        let feedBase = document["feed_url"]?.stringValue.flatMap { URL(string: $0, relativeTo: base)?.absoluteURL } ?? base
        let parsed = items.prefix(maxItems).compactMap { item -> FeedItem? in
            guard case .object = item else { return nil }
            let link = (item["url"]?.stringValue ?? item["external_url"]?.stringValue).flatMap { resolve($0, base: feedBase) }
            let html = item["summary"]?.stringValue.map { ($0, false) } ?? item["content_text"]?.stringValue.map { ($0, false) }
                ?? item["content_html"]?.stringValue.map { ($0, true) }
            let (summary, inline) = html.map { $0.1 ? HTMLText.reduce($0.0) : (HTMLText.collapse($0.0), nil) } ?? ("", nil)
            let attachment = item["attachments"]?.arrayValue?.first { $0["mime_type"]?.stringValue?.hasPrefix("image/") == true }?["url"]?.stringValue
            let image = [item["image"]?.stringValue, item["banner_image"]?.stringValue, attachment, inline].lazy.compactMap { $0.flatMap { resolve($0, base: feedBase) } }.first
            let date = (item["date_published"]?.stringValue ?? item["date_modified"]?.stringValue).flatMap(FeedDate.parse)
            return makeItem(
                key: item["id"]?.idText ?? link, title: text(item["title"]?.stringValue ?? ""), link: link, summary: summary,
                image: image, price: nil, published: date
            )
        }
        let link = document["home_page_url"]?.stringValue.flatMap { resolve($0, base: feedBase) }
        return FeedDocument(format: .jsonFeed, title: text(document["title"]?.stringValue ?? ""), link: link, items: parsed)
    }

    // MARK: Shared

    /// A title: HTML in it reduced, on one line.
    static func text(_ raw: String) -> String {
        HTMLText.reduce(raw).text.replacingOccurrences(of: "\n", with: " ")
    }

    static func makeItem(key: String?, title: String, link: String?, summary: String, image: String?, price: String?, published: Date?) -> FeedItem {
        let summary = summary.utf16.count > maxSummary ? TextFitting.fit(summary, utf16Limit: maxSummary) : summary
        // Without an id or a link, the content is the identity: an edited item then counts as new.
        let key = key?.nilIfEmpty ?? "hash:" + FeedSchedule.keyHash(title + "\n" + summary)
        var title = title.isEmpty ? TextFitting.fit(summary.components(separatedBy: "\n").first ?? "", utf16Limit: 100) : title
        if title.isEmpty { title = link ?? "(untitled)" }
        return FeedItem(key: String(key.prefix(1024)), title: title, link: link, summary: summary, imageURL: image, price: price?.trimmingCharacters(in: .whitespaces), published: published)
    }

    /// An absolute http(s) URL for `text` read against `base`, percent-encoded where the feed was not; nil for
    /// anything else (`javascript:`, `mailto:`, garbage).
    static func resolve(_ text: String, base: URL?) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.utf8.count <= 2048 else { return nil }
        // Most links are absolute and plain already: Foundation's URL parsing cost more than the rest of an item.
        if trimmed.hasPrefix("https://") || trimmed.hasPrefix("http://"), WebURL.problem(with: trimmed, allowHTTP: true) == nil { return trimmed }
        // The usual relative link, a path from the site's root: the base's origin in front of it.
        if trimmed.hasPrefix("/"), !trimmed.hasPrefix("//"), let base, let scheme = base.scheme?.lowercased(), scheme == "http" || scheme == "https", let host = base.host,
           !host.isEmpty, !host.contains(":") {
            let joined = "\(scheme)://\(host)\(base.port.map { ":\($0)" } ?? "")\(trimmed)"
            if WebURL.problem(with: joined, allowHTTP: true) == nil { return joined }
        }
        let encoded = trimmed.addingPercentEncoding(withAllowedCharacters: allowedInURL) ?? trimmed
        guard let url = URL(string: encoded, relativeTo: base)?.absoluteURL, let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              url.host?.isEmpty == false
        else { return nil }
        return url.absoluteString
    }

    /// Characters kept as they are when a feed's URL is percent-encoded (`%` too: it is encoded already).
    static let allowedInURL: CharacterSet = {
        var set = CharacterSet.urlQueryAllowed
        set.formUnion(CharacterSet(charactersIn: "#%[]"))
        return set
    }()
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}
