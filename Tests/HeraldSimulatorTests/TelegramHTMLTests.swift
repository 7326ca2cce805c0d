import Testing
@testable import HeraldSimulator

struct TelegramHTMLTests {
    @Test func parse_whenMarkupIsValid_countsOnlyVisibleText() throws {
        // Given text with tags and entities, When parsed, Then the visible text is what Telegram counts
        let visible = try TelegramHTML.parse("<b>Hi &amp; welcome</b>, <a href=\"https://x.example\">shop</a> &#128512;&lt;3").get()
        #expect(visible == "Hi & welcome, shop 😀<3")
        #expect(visible.utf16.count == 23)
    }

    @Test func parse_whenTagIsUnsupportedOrUnbalanced_failsAsTelegramDoes() {
        for html in ["<div>x</div>", "<b>x", "<b>x</i>", "a < b", "fish & chips", "&nbsp;", "<a>x</a>"] {
            guard case .failure(let error) = TelegramHTML.parse(html) else {
                Issue.record("\(html) was accepted")
                continue
            }
            #expect(error.code == 400)
            #expect(error.description.hasPrefix("Bad Request: can't parse entities:"))
        }
    }

    @Test func check_whenTextIsOverTheLimitAfterParsing_refuses() {
        // 4,096 visible units are fine even with markup around them; 4,097 are not
        let fits: [String: WireJSON] = ["chat_id": 1, "text": .string("<b>" + String(repeating: "a", count: 4096) + "</b>"), "parse_mode": "HTML"]
        #expect(TelegramRules.check(method: "sendMessage", fits) == nil)
        let over: [String: WireJSON] = ["chat_id": 1, "text": .string(String(repeating: "😀", count: 2049))]
        #expect(TelegramRules.check(method: "sendMessage", over)?.description == "Bad Request: message is too long")
    }
}
