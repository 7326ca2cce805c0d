import Foundation
import HeraldModel
import Testing

@Suite struct FeedLayoutTests {
    let item = FeedItem(
        key: "1", title: "Spring sale", link: "https://shop.example/sale", summary: String(repeating: "Everything must go. ", count: 200),
        imageURL: "https://shop.example/sale.jpg", price: "19.90 EUR", published: Date(timeIntervalSince1970: 1_796_553_600)
    )

    @Test func textLayout_titlePriceSummaryAndAReadMoreButton_withinThePlatformsLimits() throws {
        let messenger = try #require(FeedLayout.content(for: [item], layout: .text, platform: .messenger, feedTitle: "Shop", digest: false))
        guard case .text(let text, let buttons) = messenger.modules.first else { Issue.record("not text"); return }
        #expect(text.source.hasPrefix("Spring sale\n19.90 EUR\n\nEverything must go."))
        #expect(text.source.utf16.count <= PlatformLimits.messenger.textWithButtons)
        #expect(text.source.hasSuffix("…"))
        #expect(buttons == [.url(title: TemplateText(unchecked: "Read more"), url: try WebURL.parse(JSONNode(.string("https://shop.example/sale"))))])
        let telegram = try #require(FeedLayout.content(for: [item], layout: .text, platform: .telegram, feedTitle: "Shop", digest: false))
        guard case .text(let long, _) = telegram.modules.first else { Issue.record("not text"); return }
        #expect(long.source.utf16.count == 4000 + "Spring sale\n19.90 EUR\n\n".utf16.count)
    }

    @Test func httpLinks_goInTheText_notInAButton_andBracesNeverBecomeTags() throws {
        var plain = item
        plain.link = "http://shop.example/old"
        plain.title = "Use {{first_name}} here"
        plain.summary = ""
        let content = try #require(FeedLayout.content(for: [plain], layout: .text, platform: .telegram, feedTitle: "", digest: false))
        guard case .text(let text, let buttons) = content.modules.first else { Issue.record("not text"); return }
        #expect(buttons.isEmpty)
        #expect(text.source.contains("http://shop.example/old"))
        #expect(!text.source.contains("{{"))
        #expect(Personalizer().render(text, for: Profile(platformID: "1", firstName: "Ann")).contains("Use {\u{200B}{first_name}} here"))
    }

    @Test func cardLayout_andDigests() throws {
        let card = try #require(FeedLayout.content(for: [item], layout: .card, platform: .messenger, feedTitle: "Shop", digest: false))
        guard case .cards(let cards) = card.modules.first else { Issue.record("not cards"); return }
        #expect(cards.count == 1)
        #expect(cards[0].title.source == "Spring sale")
        #expect(cards[0].subtitle?.source.hasPrefix("19.90 EUR · Everything") == true)
        #expect(cards[0].subtitle!.source.utf16.count <= 80)
        #expect(cards[0].imageURL?.string == "https://shop.example/sale.jpg")
        let many = (0..<12).map { FeedItem(key: "\($0)", title: "Item \($0)", link: "https://shop.example/\($0)") }
        let carousel = try #require(FeedLayout.content(for: many, layout: .card, platform: .messenger, feedTitle: "Shop", digest: true))
        guard case .cards(let ten) = carousel.modules.first else { Issue.record("not cards"); return }
        #expect(ten.map(\.title.source) == (2..<12).map { "Item \($0)" })
        let digest = try #require(FeedLayout.content(for: many, layout: .text, platform: .messenger, feedTitle: "Shop", digest: true))
        guard case .text(let text, _) = digest.modules.first else { Issue.record("not text"); return }
        #expect(text.source.hasPrefix("New on Shop:\n\n• Item 0\nhttps://shop.example/0"))
        #expect(text.source.hasSuffix("• Item 11\nhttps://shop.example/11"))
        #expect(FeedLayout.content(for: [], layout: .text, platform: .telegram, feedTitle: "", digest: true) == nil)
    }

    @Test func customLayout_itemFieldsFilledAtCreation_subscriberFieldsLeftForSendTime() throws {
        let json = #"""
        {"modules": [
          {"type": "image", "url": "{{item.image}}"},
          {"type": "text", "text": "Hi {{first_name}}, new: {{item.title}} ({{item.price}}, {{item.date}})\n{{item.summary}}", "buttons": [{"type": "url", "title": "Open", "url": "{{item.link}}"}]}
        ]}
        """#
        let layout = try MessageContent.parse(try FeedLayout.withSentinels(JSONNode(try JSONParser().parse(Array(json.utf8)))), platform: .messenger)
        let content = try #require(FeedLayout.content(for: [item], layout: .custom(layout), platform: .messenger, feedTitle: "Shop", digest: false))
        #expect(content.modules.count == 2)
        guard case .media(.image, let url, nil) = content.modules[0], case .text(let text, let buttons) = content.modules[1] else { Issue.record("\(content)"); return }
        #expect(url.string == "https://shop.example/sale.jpg")
        #expect(text.source.hasPrefix("Hi {{first_name}}, new: Spring sale (19.90 EUR, 2026-12-06)\nEverything must go."))
        #expect(text.source.utf16.count <= 640)
        #expect(buttons.first.map { if case .url(_, let url) = $0 { url.string } else { "" } } == "https://shop.example/sale")
        // No image: the image module is left out rather than sent broken.
        var bare = item
        bare.imageURL = nil
        #expect(FeedLayout.content(for: [bare], layout: .custom(layout), platform: .messenger, feedTitle: "", digest: false)?.modules.count == 1)
    }

    @Test func customLayout_unknownItemFieldsAreRejectedAtIntake() {
        let node = JSONNode(.object(JSONObject([("modules", .array([.object(JSONObject([("type", .string("text")), ("text", .string("{{item.nope}}"))]))]))])))
        #expect(throws: JobValidationError.self) { try FeedLayout.withSentinels(node) }
        do {
            _ = try FeedLayout.withSentinels(node)
        } catch {
            #expect(error.message.contains("unknown item field {{item.nope}}"))
            #expect(error.path.description == "modules[0].text")
        }
    }
}
