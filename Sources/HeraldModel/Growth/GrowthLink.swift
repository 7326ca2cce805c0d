/// The link a growth source hands out: `https://m.me/PAGE?ref=SOURCE` or `https://t.me/BOT?start=SOURCE`.
/// Opening it and pressing Get Started / Start subscribes the person with that source.
public struct GrowthLink: Sendable, Equatable {
    public var source: String
    public var url: String

    /// The sources Herald names out of the box; any other name (of the platform's alphabet) works the same.
    public static let standardSources = ["website_button", "popup_form", "facebook_page_button", "facebook_page_image", "qr_code"]

    /// Why `source` cannot be a deep-link payload on `platform`, or nil. Telegram's `start` takes 1–64 of
    /// A–Z a–z 0–9 _ -; Messenger's `ref` is kept to the same alphabet (it survives every client) and 250
    /// characters (the Send to Messenger plugin's limit).
    public static func problem(with source: String, platform: Platform) -> String? {
        let limit = platform == .telegram ? 64 : 250
        let bytes = Array(source.utf8)
        guard (1...limit).contains(bytes.count) else { return "a source is 1–\(limit) characters on \(platform.rawValue), not \(bytes.count)" }
        guard bytes.allSatisfy({ JobID.isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }) else {
            return "a source may use only A–Z, a–z, 0–9, _ and - (\(platform == .telegram ? "Telegram's start parameter alphabet" : "safe in every m.me client"))"
        }
        return nil
    }

    /// The link for `source`; `handle` is the Page's id or name, or the bot's username (without "@").
    public static func make(platform: Platform, handle: String, source: String) throws(InboundParseError) -> GrowthLink {
        if let problem = problem(with: source, platform: platform) { throw InboundParseError(problem) }
        switch platform {
        case .messenger: return GrowthLink(source: source, url: "https://m.me/\(handle)?ref=\(source)")
        case .telegram: return GrowthLink(source: source, url: "https://t.me/\(handle)?start=\(source)")
        }
    }
}
