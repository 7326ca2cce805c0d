/// Who fetched a tracked link, by its User-Agent: a person's browser, a link-preview or crawler bot (which
/// fetches every link it sees, so counting it would inflate clicks), or a client that says nothing useful.
public enum ClickAgent: String, Sendable, Equatable, CaseIterable {
    case human
    case previewBot = "preview_bot"
    case unknown

    /// Substrings of the user agents of link-preview fetchers and crawlers (lowercased). In-app browsers (LINE,
    /// Viber, Snapchat, Teams) are people and stay out.
    static let bots = [
        "telegrambot", "facebookexternalhit", "facebot", "meta-externalagent", "meta-externalfetcher", "slackbot", "slack-imgproxy",
        "twitterbot", "whatsapp", "discordbot", "linkedinbot", "skypeuripreview", "googlebot", "google-inspectiontool",
        "adsbot-google", "bingbot", "bingpreview", "applebot", "redditbot", "pinterest", "embedly", "iframely", "vkshare",
        "kakaotalk-scrap", "mastodon", "bluesky", "yandexbot", "duckduckbot", "baiduspider",
        "petalbot", "semrushbot", "ahrefsbot", "mj12bot", "opengraph", "preview", "crawler", "spider", "bot/", "bot;", "+http",
    ]

    /// Tools and libraries, not people.
    static let tools = ["curl/", "wget/", "python-requests", "python-urllib", "go-http-client", "java/", "okhttp", "libwww-perl", "httpclient", "axios/", "node-fetch"]

    public static func classify(_ userAgent: String?) -> ClickAgent {
        guard let userAgent, !userAgent.isEmpty else { return .unknown }
        let agent = userAgent.lowercased()
        if bots.contains(where: agent.contains) { return .previewBot }
        if tools.contains(where: agent.contains) { return .unknown }
        // Every current browser, in-app browsers included, announces itself as Mozilla/5.0 with an engine.
        if agent.hasPrefix("mozilla/5.0"), ["applewebkit", "gecko", "chrome", "safari", "firefox"].contains(where: agent.contains) { return .human }
        return .unknown
    }
}
