import Foundation
import HeraldModel
import Testing

@Suite struct CampaignSpecTests {
    /// A campaign using every content module, quick replies and non-default options.
    static let everything = #"""
        {"type": "campaign", "account": "shop_bot", "audience": {"tags": {"include": ["vip"], "exclude": ["churned"]}},
         "message": {"modules": [
            {"type": "text", "text": "Hi {{#first_name}}{{.}}{{/first_name}}{{^first_name}}friend{{/first_name}} 👋🏽", "buttons": [
                {"type": "url", "title": "Shop", "url": "https://example.com/a?b=c&d=%C3%A9"},
                {"type": "postback", "title": "Stop", "payload": "UNSUBSCRIBE"}]},
            {"type": "image", "url": "https://example.com/i.jpg", "caption": "New in"},
            {"type": "video", "url": "https://example.com/v.mp4"},
            {"type": "audio", "url": "https://example.com/a.mp3"},
            {"type": "file", "url": "https://example.com/f.pdf", "caption": "Catalogue"},
            {"type": "cards", "cards": [{"title": "Boots", "subtitle": "€99", "image_url": "https://example.com/b.jpg", "url": "https://example.com/b",
                "buttons": [{"type": "url", "title": "Buy", "url": "https://example.com/buy"}]}, {"title": "Hat", "subtitle": "€20"}]}],
          "quick_replies": [{"title": "More", "payload": "MORE"}]},
         "options": {"notification": "silent", "link_previews": false, "tracking": false, "rate": 12.5, "protect_content": true}}
        """#

    @Test func spec_roundTripsThroughItsStoredForm_withEveryModule() throws {
        // Given the draft of a campaign job using every module
        let draft = try #require(CampaignDraft(try decode(Self.everything)))
        #expect(draft.spec.audience == .tags(include: ["vip"], exclude: ["churned"]))
        // When stored and read back
        let text = draft.spec.encoded()
        let read = try CampaignSpec.decode(text)
        // Then it is the same spec, and equal specs are equal text
        #expect(read == draft.spec)
        #expect(read.encoded() == text)
        #expect(read.content.modules.count == 6)
        #expect(read.options.rate == 12.5 && read.options.protectContent && !read.options.tracking && read.options.notification == .silent)
    }

    @Test func draft_ofAMessageJob_isATransactionalMessageToItsListedRecipients() throws {
        let job = try decode(#"{"type": "message", "account": "shop_page", "to": [{"id": "1234", "first_name": "Ada"}], "message": {"modules": [{"type": "text", "text": "Your code"}]}}"#)
        let draft = try #require(CampaignDraft(job))
        #expect(draft.kind == .message && draft.kind.priority == 0)
        #expect(draft.spec.audience == .listed)
        #expect(draft.spec.platform == .messenger)
        #expect(draft.audience == .recipients([Recipient(platformID: "1234", firstName: "Ada")]))
        #expect(CampaignDraft(try decode(#"{"type": "pause", "job": "x"}"#)) == nil)
    }

    @Test func decode_ofAStoredSpec_refusesNewerVersionsAndGarbage() throws {
        var newer = try #require(CampaignDraft(try decode(Self.everything))).spec
        newer.version = CampaignSpec.currentVersion + 1
        #expect(throws: CampaignSpec.SpecVersionError.self) { try CampaignSpec.decode(newer.encoded()) }
        for garbage in ["", "{", "null", #"{"version": 1}"#, String(repeating: "[", count: 100_000)] {
            #expect(throws: (any Error).self) { try CampaignSpec.decode(garbage) }
        }
    }
}
