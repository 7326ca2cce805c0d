import Mustache
import Synchronization

/// Renders `TemplateText` for one recipient, compiling each distinct template once.
///
/// Output is plain text (no HTML escaping): each platform's builder escapes the whole result its own way.
public final class Personalizer: Sendable {
    private let cache = Mutex<[String: Compiled]>([:])

    /// A template compiled once: plain variables filled in directly, the rest of Mustache by Mustache.
    private enum Compiled: Sendable {
        case simple(SimpleTemplate)
        case mustache(MustacheTemplate)
        case invalid
    }

    public init() {}

    /// The text with the profile's values filled in; a template that cannot compile renders as written.
    public func render(_ text: TemplateText, for profile: Profile) -> String {
        guard Self.hasTag(text.source) else { return text.source }
        let compiled: Compiled = cache.withLock { cache in
            if let compiled = cache[text.source] { return compiled }
            let compiled: Compiled
            if let simple = SimpleTemplate(text.source) {
                compiled = .simple(simple)
            } else if let template = try? MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT }}" + text.source) {
                compiled = .mustache(template)
            } else {
                compiled = .invalid
            }
            cache[text.source] = compiled
            return compiled
        }
        switch compiled {
        case .simple(let template): return template.render(profile)
        case .mustache(let template): return template.render(profile.context)
        case .invalid: return text.source
        }
    }

    /// Whether the text holds a `{{`, found in its UTF-8 bytes (Foundation's `contains` goes through CFString: over
    /// half of `render`'s samples in a campaign's profile).
    static func hasTag(_ source: String) -> Bool {
        var previous: UInt8 = 0
        for byte in source.utf8 {
            if byte == UInt8(ascii: "{") && previous == UInt8(ascii: "{") { return true }
            previous = byte
        }
        return false
    }

    /// A short label (button, quick reply, card title): personalised, shortened with "…" to `limit` UTF-16
    /// units, and rendered without the profile's values when they leave it blank.
    public func renderTitle(_ text: TemplateText, for profile: Profile, limit: Int) -> String {
        var rendered = render(text, for: profile)
        if rendered.allSatisfy(\.isWhitespace) { rendered = render(text, for: Profile(platformID: "")) }
        return TextFitting.fit(rendered, utf16Limit: limit)
    }
}
