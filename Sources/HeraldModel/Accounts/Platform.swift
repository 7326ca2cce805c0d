/// A messaging platform Herald sends through.
public enum Platform: String, Sendable, Hashable, CaseIterable, Codable {
    case telegram
    case messenger

    /// The platform's content limits (../shared/PLATFORMS.md §1.2, §2.2).
    public var limits: PlatformLimits {
        switch self {
        case .telegram: .telegram
        case .messenger: .messenger
        }
    }
}
