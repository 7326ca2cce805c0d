import HeraldModel
import Testing

@Suite struct ClickAgentTests {
    @Test func browsersArePeople_previewFetchersAreBots_toolsAreUnknown() {
        let people = [
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
            "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36 Line/14.5.0",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/MessengerForiOS;FBAV/450.0]",
        ]
        let bots = [
            "TelegramBot (like TwitterBot)", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "Facebot",
            "meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
            "Twitterbot/1.0", "WhatsApp/2.23.20.0 A", "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
        ]
        for agent in people { #expect(ClickAgent.classify(agent) == .human, "\(agent)") }
        for agent in bots { #expect(ClickAgent.classify(agent) == .previewBot, "\(agent)") }
        for agent in [nil, "", "curl/8.5.0", "python-requests/2.31", "Go-http-client/1.1", "Wget/1.21", "something"] {
            #expect(ClickAgent.classify(agent) == .unknown, "\(agent ?? "nil")")
        }
    }

    @Test func trackedLinks_areNumberedAsTheRenderersNumberThem() throws {
        let content = MessageContent(modules: [
            .text(TemplateText(unchecked: "a"), buttons: [.url(title: TemplateText(unchecked: "A"), url: try WebURL.parse(JSONNode(.string("https://a.example/1")))), .postback(title: TemplateText(unchecked: "P"), payload: "P")]),
            .text(TemplateText(unchecked: "b"), buttons: [.url(title: TemplateText(unchecked: "B"), url: try WebURL.parse(JSONNode(.string("https://a.example/2"))))]),
        ])
        for platform in [Platform.telegram, .messenger] {
            #expect(TrackedLinks.links(content, platform: platform).map(\.string) == ["https://a.example/1", "https://a.example/2"])
        }
    }
}
