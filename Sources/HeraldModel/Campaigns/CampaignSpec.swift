import Foundation

/// What a campaign sends and how, decoded and resolved against `[defaults]` once, when it is created, and
/// stored with it: the dispatcher sends this and never reads job text again.
public struct CampaignSpec: Sendable, Hashable, Codable {
    /// The stored format; a spec written by a newer Herald is refused instead of misread.
    public static let currentVersion = 1

    public var version = CampaignSpec.currentVersion
    public var platform: Platform
    public var content: MessageContent
    /// As asked; paid broadcast is still gated by the account's configuration at send time (it is billed).
    public var options: SendOptions
    public var audience: AudienceRule

    public init(platform: Platform, content: MessageContent, options: SendOptions, audience: AudienceRule) {
        self.platform = platform
        self.content = content
        self.options = options
        self.audience = audience
    }

    /// The stored form: JSON with sorted keys, so that equal specs are equal text.
    public func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Every member is a plain value type: encoding cannot fail.
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    /// Reads a stored spec.
    public static func decode(_ text: String) throws -> CampaignSpec {
        let spec = try JSONDecoder().decode(CampaignSpec.self, from: Data(text.utf8))
        guard spec.version <= currentVersion else { throw SpecVersionError(version: spec.version) }
        return spec
    }

    /// A spec newer than this build understands.
    public struct SpecVersionError: Error, CustomStringConvertible {
        public var version: Int
        public var description: String { "the campaign was stored by a newer Herald (spec version \(version), this one reads up to \(CampaignSpec.currentVersion))" }
    }
}
