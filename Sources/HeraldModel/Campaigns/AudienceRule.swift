/// Who a stored campaign still has to reach beyond its ledger: everybody, tagged subscribers, or nobody more
/// (a listed audience became deliveries when it was created).
public enum AudienceRule: Sendable, Hashable, Codable {
    case all
    case tags(include: [String], exclude: [String])
    case listed

    public init(_ audience: Audience) {
        switch audience {
        case .all: self = .all
        case .tags(let include, let exclude): self = .tags(include: include, exclude: exclude)
        case .subscribers, .recipients: self = .listed
        }
    }
}
