import HeraldModel
import Testing

@Suite struct MessengerRendererTests {
    let renderer = MessengerRenderer(personalizer: Personalizer())

    func render(_ modules: String, quickReplies: String? = nil, options: SendOptions = SendOptions(), media: [String: String] = [:]) throws -> [String] {
        let request = RenderRequest(profile: Profile(platformID: "5550001", firstName: "Ada", fields: ["order": "1042"]), options: options, reusableMedia: media, deliveryID: 42) { url, index in "https://t.example/c/\(index)" }
        return try renderer.render(try content(modules, quickReplies: quickReplies, platform: .messenger), psid: "5550001", request: request).map(\.body.jsonText)
    }

    @Test func text_isPlainWithMetadataAndEnvelope() throws {
        #expect(try render(#"[{"type": "text", "text": "Hi {{first_name}} <3 & order {{fields.order}}"}]"#) == [
            #"{"recipient":{"id":"5550001"},"messaging_type":"UPDATE","notification_type":"REGULAR","message":{"text":"Hi Ada <3 & order 1042","metadata":"herald:42:0:1"}}"#,
        ])
    }

    @Test func textWithButtons_isAButtonTemplate() throws {
        #expect(try render(#"[{"type": "text", "text": "Sale", "buttons": [{"type": "url", "title": "Shop", "url": "https://shop.example/x"}, {"type": "postback", "title": "No", "payload": "NO"}]}]"#) == [
            #"{"recipient":{"id":"5550001"},"messaging_type":"UPDATE","notification_type":"REGULAR","message":{"attachment":{"type":"template","payload":{"template_type":"button","text":"Sale","buttons":[{"type":"web_url","url":"https://t.example/c/0","title":"Shop"},{"type":"postback","title":"No","payload":"NO"}]}},"metadata":"herald:42:0:1"}}"#,
        ])
    }

    @Test func media_areReusableAttachmentsAndCaptionsFollowAsText() throws {
        let calls = try render(#"""
            [{"type": "image", "url": "https://m.example/a.jpg", "caption": "For {{first_name}}"},
             {"type": "video", "url": "https://m.example/v.mp4"},
             {"type": "audio", "url": "https://m.example/s.mp3"},
             {"type": "file", "url": "https://m.example/d.pdf"}]
            """#, media: ["https://m.example/s.mp3": "1857777774821032"])
        let envelope = #"{"recipient":{"id":"5550001"},"messaging_type":"UPDATE","notification_type":"REGULAR","message":"#
        #expect(calls == [
            envelope + #"{"attachment":{"type":"image","payload":{"url":"https://m.example/a.jpg","is_reusable":true}},"metadata":"herald:42:0:5"}}"#,
            envelope + #"{"text":"For Ada","metadata":"herald:42:1:5"}}"#,
            envelope + #"{"attachment":{"type":"video","payload":{"url":"https://m.example/v.mp4","is_reusable":true}},"metadata":"herald:42:2:5"}}"#,
            envelope + #"{"attachment":{"type":"audio","payload":{"attachment_id":"1857777774821032"}},"metadata":"herald:42:3:5"}}"#,
            envelope + #"{"attachment":{"type":"file","payload":{"url":"https://m.example/d.pdf","is_reusable":true}},"metadata":"herald:42:4:5"}}"#,
        ])
    }

    @Test func cards_areAGenericTemplate_quickRepliesGoLast_andTagsApply() throws {
        var options = SendOptions()
        options.messagingType = .messageTag
        options.tag = "POST_PURCHASE_UPDATE"
        options.notification = .noPush
        let calls = try render(#"""
            [{"type": "cards", "cards": [
              {"title": "Shirt", "subtitle": "€39", "image_url": "https://m.example/s.jpg", "url": "https://shop.example/s", "buttons": [{"type": "url", "title": "View", "url": "https://shop.example/s"}]},
              {"title": "Tote", "subtitle": "€19"}]}]
            """#, quickReplies: #"[{"title": "More", "payload": "MORE"}]"#, options: options)
        #expect(calls == [
            #"{"recipient":{"id":"5550001"},"messaging_type":"MESSAGE_TAG","tag":"POST_PURCHASE_UPDATE","notification_type":"NO_PUSH","message":{"attachment":{"type":"template","payload":{"template_type":"generic","elements":[{"title":"Shirt","subtitle":"€39","image_url":"https://m.example/s.jpg","default_action":{"type":"web_url","url":"https://t.example/c/0"},"buttons":[{"type":"web_url","url":"https://t.example/c/1","title":"View"}]},{"title":"Tote","subtitle":"€19"}]}},"quick_replies":[{"content_type":"text","title":"More","payload":"MORE"}],"metadata":"herald:42:0:1"}}"#,
        ])
    }

    @Test func personalisedTitles_areFittedToTwentyUTF16UnitsAtGraphemeBoundaries() throws {
        let renderer = MessengerRenderer(personalizer: Personalizer())
        // A name with a combining diaeresis (2 units) and a ZWJ family emoji (one grapheme, 11 units)
        let name = "Zoe\u{0308} 👩‍👩‍👧‍👦 Österberg"
        let request = RenderRequest(profile: Profile(platformID: "1", firstName: name), options: SendOptions(), deliveryID: 7) { url, _ in url.string }
        let modules = #"[{"type": "text", "text": "x", "buttons": [{"type": "postback", "title": "Hi {{first_name}}", "payload": "P"}]}, {"type": "cards", "cards": [{"title": "{{first_name}}, yours", "subtitle": "s"}]}]"#
        let messages = try renderer.render(try content(modules, quickReplies: #"[{"title": "Yes {{first_name}}", "payload": "Y"}]"#, platform: .messenger), psid: "1", request: request)
        let bodies = messages.map(\.body.jsonText)
        // "Hi Zoë 👩‍👩‍👧‍👦": 19 units, then the ellipsis: 20
        #expect(bodies[0].contains(#""title":"Hi Zoe\#u{0308} 👩‍👩‍👧‍👦…""#), "\(bodies[0])")
        #expect(bodies[1].contains(#""title":"Zoe\#u{0308} 👩‍👩‍👧‍👦 Österberg, yours""#), "a card title has 80 units")
        #expect(bodies[1].contains(#""quick_replies":[{"content_type":"text","title":"Yes Zoe\#u{0308}…""#), "\(bodies[1])")
    }

    @Test func heavyMedia_isMarkedForTheTenPerSecondLimit() throws {
        let request = RenderRequest(profile: Profile(platformID: "1"), options: SendOptions(), deliveryID: 1)
        let messages = try renderer.render(try content(#"[{"type": "video", "url": "https://m.example/v.mp4"}, {"type": "image", "url": "https://m.example/i.png"}]"#, platform: .messenger), psid: "1", request: request)
        #expect(messages.map(\.isHeavyMedia) == [true, false])
        #expect(messages.map(\.mediaURL?.string) == ["https://m.example/v.mp4", "https://m.example/i.png"])
    }
}
