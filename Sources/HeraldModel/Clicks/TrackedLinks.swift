import Synchronization

/// The links of a message in the order the renderers number them (URL buttons, card default actions), found
/// by rendering it: the numbering of the stored links and of the sent ones cannot drift apart.
public enum TrackedLinks {
    public static func links(_ content: MessageContent, platform: Platform) -> [WebURL] {
        let seen = Mutex<[Int: WebURL]>([:])
        let request = RenderRequest(profile: Profile(platformID: "1"), options: SendOptions(), deliveryID: 1) { url, index in
            seen.withLock { $0[index] = url }
            return url.string
        }
        let personalizer = Personalizer()
        switch platform {
        case .telegram: _ = try? TelegramRenderer(personalizer: personalizer).render(content, chatID: "1", request: request)
        case .messenger: _ = try? MessengerRenderer(personalizer: personalizer).render(content, psid: "1", request: request)
        }
        let found = seen.withLock { $0 }
        return (0..<found.count).compactMap { found[$0] }
    }
}
