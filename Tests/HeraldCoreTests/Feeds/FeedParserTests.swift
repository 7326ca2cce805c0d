import Foundation
import HeraldCore
import HeraldModel
import Testing

let feedCorpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("FeedCorpus")

func corpus(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: feedCorpus.appendingPathComponent(name)))
}

/// Every format and quirk of the corpus in Tests/FeedCorpus, and the hostile documents: each read right or
/// refused with a reason, never a crash.
@Suite struct FeedParserTests {
    @Test func rss20_cdataHTMLRelativeLinksMissingGuidsDatesAndImages() throws {
        let feed = try FeedParser.parse(try corpus("rss20-blog.xml"), url: "https://blog.example/feed.xml")
        #expect(feed.format == .rss20)
        #expect(feed.title == "The Herald Blog")
        #expect(feed.items.count == 5)
        let sale = feed.items[0]
        #expect(sale.key == "post-3")
        #expect(sale.title == "Spring & summer sale")
        #expect(sale.link == "https://blog.example/posts/spring-sale")
        #expect(sale.summary == "Everything must go — shop now.\n\nSecond paragraph ☺")
        #expect(!sale.summary.contains("alert") && !sale.summary.contains("color"))
        #expect(sale.imageURL == "https://blog.example/img/sale.jpg")
        #expect(sale.published == FeedDate.parse("2026-12-06T09:00:00Z"))
        let noGuid = feed.items[1]
        #expect(noGuid.key == "https://blog.example/posts/no-guid")
        #expect(noGuid.summary == "Plain escaped HTML")
        #expect(noGuid.imageURL == "https://cdn.example/cover.png")
        #expect(noGuid.published == FeedDate.parse("2026-12-05T09:30:00Z"))
        let bare = feed.items[2]
        #expect(bare.key.hasPrefix("hash:"))
        #expect(bare.link == nil)
        #expect(bare.title == "Neither a link nor a guid nor a title: the content is the key.")
        #expect(bare.published == FeedDate.parse("2026-12-04T08:00:00Z"))
        let media = feed.items[3]
        #expect(media.key == "https://blog.example/?p=7")
        #expect(media.link == "https://blog.example/posts/media?a=1&b=2")
        #expect(media.summary == "Long content")
        #expect(media.imageURL == "https://cdn.example/media.jpg")
        #expect(media.published == FeedDate.parse("2026-12-03T12:00:00Z"))
        let hostile = feed.items[4]
        #expect(hostile.link == nil)
        #expect(hostile.published == nil)
        // The same document gives the same keys: a hash key is stable.
        #expect(try FeedParser.parse(try corpus("rss20-blog.xml"), url: "https://blog.example/feed.xml").items.map(\.key) == feed.items.map(\.key))
    }

    @Test func oldRSS_withNetscapeDoctype_latin1_windows1252_andHTMLEntities() throws {
        let latin = try FeedParser.parse(try corpus("rss091-latin1.xml"), url: "http://cafe.example/rss")
        #expect(latin.format == .rss091)
        #expect(latin.title == "Café news")
        #expect(latin.items.map(\.title) == ["Crème brûlée été"])
        #expect(latin.items[0].summary == "Délicieux")
        #expect(latin.items[0].key == "http://cafe.example/creme")
        let windows = try FeedParser.parse(try corpus("rss092-windows1252.xml"), url: "https://q.example/rss")
        #expect(windows.items.map(\.title) == ["“Smart” quotes – €5"])
    }

    @Test func rss10_rss090_atom_utf16() throws {
        let one = try FeedParser.parse(try corpus("rss10.rdf"), url: "https://r1.example/rss")
        #expect(one.format == .rss10)
        #expect(one.items.map(\.key) == ["https://r1.example/a", "https://r1.example/b"])
        #expect(one.items[0].published == FeedDate.parse("2026-12-01T10:00:00Z"))
        #expect(one.items[1].published == FeedDate.parse("2026-12-02T12:00:00Z"))
        let old = try FeedParser.parse(try corpus("rss090.rdf"), url: "http://n.example/rss")
        #expect(old.format == .rss090)
        #expect(old.items.map(\.link) == ["http://n.example/90"])
        let utf16 = try FeedParser.parse(try corpus("atom-utf16.xml"), url: "https://u.example/atom")
        #expect(utf16.items.map(\.title) == ["Über 日本"])
        #expect(utf16.items.map(\.summary) == ["Süß"])
    }

    @Test func atom_xmlBase_htmlAndXHTML_enclosures() throws {
        let feed = try FeedParser.parse(try corpus("atom.xml"), url: "https://atom.example/feed.atom")
        #expect(feed.format == .atom10)
        #expect(feed.title == "Atom <Blog>")
        #expect(feed.link == "https://atom.example/")
        let first = feed.items[0]
        #expect(first.title == "Relative & html")
        #expect(first.link == "https://atom.example/blog/posts/1")
        #expect(first.imageURL == "https://atom.example/img/1.jpg")
        #expect(first.summary == "First & bold")
        #expect(first.published == FeedDate.parse("2026-12-05T09:00:00.123Z"))
        let second = feed.items[1]
        #expect(second.title == "XHTML title")
        #expect(second.link == "https://other.example/x/2")
        #expect(second.summary == "Para one")
        #expect(second.published == FeedDate.parse("2026-12-04T10:00:00Z"))
    }

    @Test func jsonFeed_10_and_11() throws {
        let feed = try FeedParser.parse(try corpus("jsonfeed11.json"), url: "https://json.example/feed.json")
        #expect(feed.format == .jsonFeed)
        #expect(feed.items.map(\.key) == ["2", "1", "https://json.example/posts/0"])
        #expect(feed.items[0].link == "https://json.example/posts/2")
        #expect(feed.items[0].summary == "Hello there")
        #expect(feed.items[0].imageURL == "https://json.example/i/2.png")
        #expect(feed.items[1].published == FeedDate.parse("2026-12-05T14:00:00Z"))
        #expect(feed.items[2].title == "No id, no title")
        let old = try FeedParser.parse(try corpus("jsonfeed10.json"), url: "https://j1.example/feed.json")
        #expect(old.items.map(\.key) == ["42"])
        #expect(old.items[0].imageURL == "https://j1.example/a.jpg")
    }

    @Test func productFeed_pricesAndImages() throws {
        let feed = try FeedParser.parse(try corpus("products.xml"), url: "https://shop.example/feed")
        #expect(feed.items.map(\.key) == ["SKU-1", "SKU-2"])
        #expect(feed.items.map(\.title) == ["Red shoes", "Blue hat"])
        #expect(feed.items.map(\.price) == ["59.90 EUR", "15.00 EUR"])
        #expect(feed.items[0].imageURL == "https://shop.example/p/1.jpg")
        #expect(feed.items[0].link == "https://shop.example/p/1")
    }

    @Test func hostileAndBrokenDocuments_areRefusedWithAReason() throws {
        func refusal(_ bytes: [UInt8]) -> String {
            do {
                _ = try FeedParser.parse(bytes, url: "https://x.example/feed")
                return "accepted"
            } catch {
                return error.reason
            }
        }
        #expect(refusal(try corpus("billion-laughs.xml")).contains("declares entities (<!ENTITY a …>)"))
        #expect(refusal(try corpus("external-entity.xml")).contains("declares an external entity (<!ENTITY secret SYSTEM …>)"))
        #expect(refusal(try corpus("truncated.xml")).hasPrefix("the feed is not well-formed XML"))
        #expect(refusal(try corpus("html-page.html")).contains("HTML page"))
        #expect(refusal([]) == "the source is empty")
        #expect(refusal(Array("   \n".utf8)) == "the source is empty")
        #expect(refusal(Array("hello".utf8)).contains("neither XML nor JSON"))
        #expect(refusal(Array("{\"title\": 1}".utf8)).contains("version"))
        #expect(refusal(Array("{\"version\": \"https://jsonfeed.org/version/1.1\"}".utf8)).contains("items"))
        #expect(refusal(Array("{\"version\": ".utf8)).contains("not valid JSON"))
        #expect(refusal(Array("<svg xmlns=\"http://www.w3.org/2000/svg\"/>".utf8)).contains("<svg>"))
        let deep = String(repeating: "<a>", count: 10_000) + String(repeating: "</a>", count: 10_000)
        #expect(refusal(Array(("<rss version=\"2.0\"><channel>" + deep + "</channel></rss>").utf8)).contains("nests deeper"))
        var invalid = Array("<rss version=\"2.0\"><channel><title>".utf8)
        invalid += [0xFF, 0xFE, 0x00]
        invalid += Array("</title></channel></rss>".utf8)
        #expect(refusal(invalid).hasPrefix("the feed is not well-formed XML"))
    }

    @Test func manyItems_areCappedAndHugeSummariesCut() throws {
        var xml = "<rss version=\"2.0\"><channel><title>Big</title>"
        for index in 0..<2_000 { xml += "<item><guid>\(index)</guid><title>T\(index)</title><description>\(String(repeating: "word ", count: index == 0 ? 5_000 : 1))</description></item>" }
        xml += "</channel></rss>"
        let feed = try FeedParser.parse(Array(xml.utf8), url: "https://big.example/")
        #expect(feed.items.count == FeedParser.maxItems)
        #expect(feed.items[0].summary.utf16.count <= 4000)
        #expect(feed.items[0].summary.hasSuffix("…"))
    }

    @Test func htmlText_followsATokenizersRules() {
        #expect(HTMLText.reduce("a &lt;b&gt; &amp;amp; &#65;&#x42; &copy;").text == "a <b> &amp; AB ©")
        #expect(HTMLText.reduce("<p>one</p><p>two<br>three</p><ul><li>x</li><li>y</li></ul>").text == "one\n\ntwo\nthree\n\n• x\n• y")
        #expect(HTMLText.reduce("<script>document.write('<p>no</p>')</script>yes<style>.a{}</style><!-- hidden -->").text == "yes")
        #expect(HTMLText.reduce("<a href='x' title='>'>link</a> <unclosed attr=\"").text == "link")
        #expect(HTMLText.reduce("  lots \t of\n\n\n\nspace\u{0007} ").text == "lots of\n\nspace")
        #expect(HTMLText.reduce("<img src=\"/a.png\" alt=\"x\"><img src=\"/b.png\">").firstImage == "/a.png")
        #expect(HTMLText.entity("eacute") == "é")
        #expect(HTMLText.entity("nosuch") == nil)
    }
}
