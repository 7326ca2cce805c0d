import Foundation
import FoundationXML
import HeraldCore

/// Reading a large feed: `FeedParser` on a 500-item RSS 2.0 document with HTML descriptions (the most it reads),
/// against the bare FoundationXML pass over the same bytes with an empty delegate, measured in the same run.
enum FeedBenchmark {
    static func run(runs: Int) throws {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Bench</title><link>https://bench.example/</link>"
        for index in 0..<500 {
            xml += "<item><guid>post-\(index)</guid><title>Post number \(index) &amp; more</title><link>/posts/\(index)</link>"
                + "<pubDate>Sun, 06 Dec 2026 10:00:00 +0100</pubDate><description><![CDATA[<p>Paragraph one of post \(index), with <b>bold</b> and "
                + "<a href=\"/x\">a link</a>.</p><p>Second &mdash; paragraph.</p><img src=\"/img/\(index).jpg\">]]></description></item>"
        }
        xml += "</channel></rss>"
        let bytes = Array(xml.utf8)
        var parse: [Double] = [], bare: [Double] = [], html: [Double] = []
        let descriptions = (0..<500).map { "<p>Paragraph one of post \($0), with <b>bold</b> and <a href=\"/x\">a link</a>.</p><p>Second &mdash; paragraph.</p><img src=\"/img/\($0).jpg\">" }
        for _ in 0..<runs {
            var start = monotonic()
            let feed = try FeedParser.parse(bytes, url: "https://bench.example/feed.xml")
            parse.append((monotonic() - start) * 1000)
            precondition(feed.items.count == 500)
            start = monotonic()
            let parser = XMLParser(data: Data(bytes))
            let delegate = EmptyDelegate()
            parser.delegate = delegate
            parser.shouldProcessNamespaces = true
            precondition(parser.parse())
            bare.append((monotonic() - start) * 1000)
            start = monotonic()
            for description in descriptions { _ = HTMLText.reduce(description) }
            html.append((monotonic() - start) * 1000)
        }
        let summary = Summary(values: parse)
        emit(summary.json("feed_parse_500_items", unit: "ms", extra: [
            "bytes": bytes.count, "bare_xmlparser_ms": (Summary(values: bare).median * 1000).rounded() / 1000,
            "ratio_to_bare": (summary.median / Summary(values: bare).median * 100).rounded() / 100,
            "of_which_html_to_text_ms": (Summary(values: html).median * 1000).rounded() / 1000,
        ]))
    }

    private final class EmptyDelegate: NSObject, XMLParserDelegate {}
}
