import Mustache
import Synchronization

/// Renders `TemplateText` for one recipient, compiling each distinct template once.
///
/// Output is plain text (no HTML escaping): each platform's builder escapes the whole result its own way.
public final class Personalizer: Sendable {
    private let cache = Mutex<[String: MustacheTemplate]>([:])

    public init() {}

    /// The text with the profile's values filled in; a template that cannot compile renders as written.
    public func render(_ text: TemplateText, for profile: Profile) -> String {
        guard text.source.contains("{{") else { return text.source }
        let template: MustacheTemplate? = cache.withLock { cache in
            if let compiled = cache[text.source] { return compiled }
            guard let compiled = try? MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT }}" + text.source) else { return nil }
            cache[text.source] = compiled
            return compiled
        }
        guard let template else { return text.source }
        let rendered: String = template.render(profile.context)
        return rendered
    }

    /// A short label (button, quick reply, card title): personalised, shortened with "…" to `limit` UTF-16
    /// units, and rendered without the profile's values when they leave it blank.
    public func renderTitle(_ text: TemplateText, for profile: Profile, limit: Int) -> String {
        var rendered = render(text, for: profile)
        if rendered.allSatisfy(\.isWhitespace) { rendered = render(text, for: Profile(platformID: "")) }
        return TextFitting.fit(rendered, utf16Limit: limit)
    }
}
