/// Something a simulated person or platform does later: a webhook, an update, a link followed.
public enum Reaction: Sendable {
    /// One `messaging` item posted to Meta's webhook subscriber, signed.
    case messengerEvent(WireJSON)
    /// One Telegram update for `getUpdates` or the bot's webhook.
    case telegramUpdate([String: WireJSON])
    /// A tracked link fetched by a person's browser or a preview bot.
    case fetch(url: String, userAgent: String, counter: String)
}

/// Reactions ordered by when they happen (seconds since the simulator started).
struct ReactionQueue: Sendable {
    private var items: [(due: Double, reaction: Reaction)] = []

    mutating func add(_ reaction: Reaction, at due: Double) {
        let index = items.firstIndex { $0.due > due } ?? items.endIndex
        items.insert((due, reaction), at: index)
    }

    /// Removes and returns the reactions due at `now`.
    mutating func due(at now: Double) -> [Reaction] {
        let count = items.prefix { $0.due <= now }.count
        defer { items.removeFirst(count) }
        return items.prefix(count).map(\.reaction)
    }

    var next: Double? { items.first?.due }
    var isEmpty: Bool { items.isEmpty }
}
