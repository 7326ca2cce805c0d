import HeraldModel
import Testing

func content(_ modules: String, quickReplies: String? = nil, platform: Platform) throws -> MessageContent {
    var text = #"{"modules": "# + modules
    if let quickReplies { text += #", "quick_replies": "# + quickReplies }
    text += "}"
    return try MessageContent.parse(JSONNode(try JSONParser().parse(Array(text.utf8))), platform: platform)
}

let ada = Profile(platformID: "123456789", firstName: "Ada", lastName: "Lovelace", fields: ["coupon": "ADA<20>&more"])

@Suite struct TelegramRendererTests {
    let renderer = TelegramRenderer(personalizer: Personalizer())

    func render(_ modules: String, quickReplies: String? = nil, chat: String = "123456789", options: SendOptions = SendOptions(), media: [String: String] = [:], profile: Profile = ada) throws -> [String] {
        let request = RenderRequest(profile: profile, options: options, reusableMedia: media, deliveryID: 7) { url, index in "https://t.example/c/\(index)" }
        return try renderer.render(try content(modules, quickReplies: quickReplies, platform: .telegram), chatID: chat, request: request).map { "\($0.endpoint) \($0.body.jsonText)" }
    }

    @Test func text_isHTMLWithPersonalisedValuesEscaped() throws {
        let calls = try render(#"[{"type": "text", "text": "Hi {{first_name}} & co: {{fields.coupon}} {{^username}}(no username){{/username}}"}]"#)
        #expect(calls == [#"sendMessage {"chat_id":123456789,"text":"Hi Ada &amp; co: ADA&lt;20&gt;&amp;more (no username)","parse_mode":"HTML"}"#])
    }

    @Test func textWithButtons_isAnInlineKeyboardWithTrackedURLs() throws {
        let calls = try render(#"[{"type": "text", "text": "Sale", "buttons": [{"type": "url", "title": "Shop {{first_name}}", "url": "https://shop.example/x"}, {"type": "postback", "title": "No", "payload": "optout"}]}]"#)
        #expect(calls == [#"sendMessage {"chat_id":123456789,"text":"Sale","parse_mode":"HTML","reply_markup":{"inline_keyboard":[[{"text":"Shop Ada","url":"https://t.example/c/0"}],[{"text":"No","callback_data":"optout"}]]}}"#])
    }

    @Test func media_useTheirMethodsAndReuseFileIDs() throws {
        let calls = try render(#"""
            [{"type": "image", "url": "https://m.example/a.jpg", "caption": "<b>{{first_name}}</b>"},
             {"type": "video", "url": "https://m.example/v.mp4"},
             {"type": "audio", "url": "https://m.example/s.mp3"},
             {"type": "file", "url": "https://m.example/d.pdf"}]
            """#, media: ["https://m.example/v.mp4": "BAADBAAD-file-id"])
        #expect(calls == [
            #"sendPhoto {"chat_id":123456789,"photo":"https://m.example/a.jpg","caption":"&lt;b&gt;Ada&lt;/b&gt;","parse_mode":"HTML"}"#,
            #"sendVideo {"chat_id":123456789,"video":"BAADBAAD-file-id"}"#,
            #"sendAudio {"chat_id":123456789,"audio":"https://m.example/s.mp3"}"#,
            #"sendDocument {"chat_id":123456789,"document":"https://m.example/d.pdf"}"#,
        ])
    }

    @Test func cards_becomePhotosWithCaptionAndKeyboard() throws {
        let calls = try render(#"""
            [{"type": "cards", "cards": [
              {"title": "Shirt", "subtitle": "€39", "image_url": "https://m.example/s.jpg", "url": "https://shop.example/s", "buttons": [{"type": "postback", "title": "Remind", "payload": "r:s"}]},
              {"title": "Tote", "subtitle": "€19"}]}]
            """#)
        #expect(calls == [
            #"sendPhoto {"chat_id":123456789,"photo":"https://m.example/s.jpg","caption":"<b>Shirt</b>\n€39","parse_mode":"HTML","reply_markup":{"inline_keyboard":[[{"text":"Shirt","url":"https://t.example/c/0"}],[{"text":"Remind","callback_data":"r:s"}]]}}"#,
            #"sendMessage {"chat_id":123456789,"text":"<b>Tote</b>\n€19","parse_mode":"HTML"}"#,
        ])
    }

    @Test func options_andQuickReplies_andGroupChats() throws {
        var options = SendOptions()
        options.notification = .silent
        options.protectContent = true
        options.paidBroadcast = true
        options.linkPreviews = false
        let calls = try render(#"[{"type": "text", "text": "x"}]"#, quickReplies: #"[{"title": "More", "payload": "more"}]"#, chat: "@shopnews", options: options)
        #expect(calls == [#"sendMessage {"chat_id":"@shopnews","disable_notification":true,"protect_content":true,"allow_paid_broadcast":true,"text":"x","parse_mode":"HTML","link_preview_options":{"is_disabled":true},"reply_markup":{"inline_keyboard":[[{"text":"More","callback_data":"more"}]]}}"#])
        let group = try render(#"[{"type": "text", "text": "x"}]"#, chat: "-1001234567890")
        #expect(group == [#"sendMessage {"chat_id":-1001234567890,"text":"x","parse_mode":"HTML"}"#])
    }

    @Test func personalisation_overTheLimit_failsTheDeliveryWithAReason() throws {
        let long = Profile(platformID: "1", firstName: String(repeating: "x", count: 4097))
        #expect(throws: RenderError(reason: "the text is 4100 characters after personalisation; Telegram allows 4096")) {
            _ = try render(#"[{"type": "text", "text": "{{first_name}} hi"}]"#, profile: long)
        }
    }
}
