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
}
