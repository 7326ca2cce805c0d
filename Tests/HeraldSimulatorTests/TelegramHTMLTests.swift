import Foundation
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

struct WireJSONParserTests {
    @Test func parse_readsEveryKindOfValue() throws {
        let text = #"{"a": [1, -2, 3.5, 2.5e-1, true, false, null], "s": "Caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \n", "o": {}, "e": [], "u": "ünï 😀"}"#
        let parsed = try #require(WireJSON.parse(Array(text.utf8)))
        #expect(parsed == [
            "a": [1, -2, .double(3.5), .double(0.25), true, false, .null], "s": "Café 😀 \"q\" \\ / \n", "o": .object([:]), "e": .array([]), "u": "ünï 😀",
        ])
        #expect(parsed["s"]?.string == "Café 😀 \"q\" \\ / \n")
        #expect(parsed["a"]?.array?.first == .int(1))
        #expect(parsed["a"]?.array?[3] == .double(0.25))
    }

    @Test func parse_whenNotExactlyOneValue_isNil() {
        let bad = ["", "{", "{\"a\":}", "[1,]", "{\"a\":1,}", "01", "1.", "-", "tru", "\"\u{01}\"", "\"\\x\"", "\"\\ud83d\"", "{} {}", "nul",
                   String(repeating: "[", count: 100) + String(repeating: "]", count: 100)]
        for text in bad { #expect(WireJSON.parse(Array(text.utf8)) == nil, "\(text) was read") }
    }
}
