import HeraldModel
import Testing

@Suite struct MessagePreviewTests {
    static func content(_ json: String, platform: Platform) throws -> MessageContent {
        try MessageContent.parse(JSONNode(try JSONParser().parse(Array(json.utf8))), platform: platform)
    }

    static let rich = #"""
        {"modules": [
            {"type": "image", "url": "https://shop.example/a.jpg", "caption": "For {{first_name}}"},
            {"type": "text", "text": "Hi {{#first_name}}{{first_name}}{{/first_name}}{{^first_name}}friend{{/first_name}} <b>&</b> {{fields.city}}",
             "buttons": [{"type": "url", "title": "Shop {{fields.city}}", "url": "https://shop.example/s"}, {"type": "postback", "title": "Stop", "payload": "STOP"}]}
        ], "quick_replies": [{"title": "More, {{username}}", "payload": "more"}]}
        """#

    @Test func variables_areEveryPersonalisationUsed_inOrder_withoutPlatformID() throws {
        let content = try Self.content(Self.rich, platform: .telegram)
        #expect(MessagePreview.variables(in: content) == ["first_name", "fields.city", "username"])
        #expect(MessagePreview.variables(in: try Self.content(#"{"modules": [{"type": "text", "text": "No {{platform_id}} personalisation"}]}"#, platform: .telegram)).isEmpty)
    }

    @Test func isMissing_treatsBlankAsMissing_andFullNameNeedsEitherName() {
        let profile = Profile(platformID: "1", firstName: " ", lastName: "Lovelace", fields: ["city": "Rome", "zip": ""])
        #expect(MessagePreview.isMissing("first_name", in: profile))
        #expect(!MessagePreview.isMissing("full_name", in: profile))
        #expect(!MessagePreview.isMissing("fields.city", in: profile))
        #expect(MessagePreview.isMissing("fields.zip", in: profile))
        #expect(MessagePreview.isMissing("fields.absent", in: profile))
        #expect(MessagePreview.isMissing("username", in: profile))
    }

    @Test func telegram_callsAreTheRenderersBodies_andReadAsTheRecipientSeesThem() throws {
        let preview = try MessagePreview.render(
            try Self.content(Self.rich, platform: .telegram), platform: .telegram, options: SendOptions(), profile: Profile(platformID: "42", firstName: "Ada", username: "ada")
        )
        #expect(preview.calls.map(\.endpoint) == ["sendPhoto", "sendMessage"])
        #expect(preview.calls[1].body.jsonText.contains(#""text":"Hi Ada &lt;b&gt;&amp;&lt;/b&gt; ""#))
        #expect(preview.calls[0].reading == ["[image] https://shop.example/a.jpg", "For Ada"])
        #expect(preview.calls[1].reading == [
            "Hi Ada <b>&</b> ", "[ Shop  ] → https://shop.example/s", "[ Stop ] (payload STOP)", "[ More, ada ] (payload more)",
        ])
    }

    @Test func messenger_captionFollowsItsAttachment_andFallbacksShowWithoutProfile() throws {
        let preview = try MessagePreview.render(try Self.content(Self.rich, platform: .messenger), platform: .messenger, options: SendOptions(), profile: Profile(platformID: "5"))
        #expect(preview.calls.count == 3)
        #expect(preview.calls[0].reading == ["[image] https://shop.example/a.jpg"])
        #expect(preview.calls[1].reading == ["For "])
        #expect(preview.calls[2].reading == ["Hi friend <b>&</b> ", "[ Shop  ] → https://shop.example/s", "[ Stop ] (payload STOP)", "( More,  ) (quick reply, payload more)"])
    }

    @Test func render_whenPersonalisationMakesItTooLong_saysSo() throws {
        let content = try Self.content(#"{"modules": [{"type": "text", "text": "\#(String(repeating: "x", count: 4090)){{first_name}}"}]}"#, platform: .telegram)
        #expect(throws: RenderError.self) {
            try MessagePreview.render(content, platform: .telegram, options: SendOptions(), profile: Profile(platformID: "1", firstName: "Bartholomew"))
        }
    }
}
