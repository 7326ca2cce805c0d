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

    /// Between a source and a form's one-time token in a deep-link payload: `SOURCE--TOKEN`. A growth tool's
    /// source may not contain it.
    public static let tokenSeparator = "--"

    /// The longest source of a popup form: its payload carries `--` and a token too, within Telegram's 64.
    public static let maxFormSource = 64 - 2 - OptInToken.length

    /// A deep-link payload as the source it names and the form token it carries, if any. The token is the last
    /// 22 characters, counted from the end: base64url has `-`, so a token may itself hold `--` or start with `-`.
    public static func split(_ payload: String) -> (source: String, token: OptInToken?) {
        let bytes = Array(payload.utf8)
        let separator = bytes.count - OptInToken.length - 2
        guard separator > 0, bytes[separator] == UInt8(ascii: "-"), bytes[separator + 1] == UInt8(ascii: "-"),
              let token = OptInToken(String(decoding: bytes[(separator + 2)...], as: UTF8.self))
        else { return (payload, nil) }
        return (String(decoding: bytes[..<separator], as: UTF8.self), token)
    }

    /// The link for `source`; `handle` is the Page's id or name, or the bot's username (without "@").
    public static func make(platform: Platform, handle: String, source: String, token: OptInToken? = nil) throws(InboundParseError) -> GrowthLink {
        if let problem = problem(with: source, platform: platform) { throw InboundParseError(problem) }
        let payload = token.map { source + tokenSeparator + $0.text } ?? source
        switch platform {
        case .messenger: return GrowthLink(source: source, url: "https://m.me/\(handle)?ref=\(payload)")
        case .telegram: return GrowthLink(source: source, url: "https://t.me/\(handle)?start=\(payload)")
        }
    }
}
