/// One limit a send must respect. A send passes every scope that applies to it.
public enum RateScope: Sendable, Hashable {
    /// All sends of an account (Telegram ≈ 30/s per bot, 1000/s with paid broadcast; Messenger 300/s per Page).
    case account(String)
    /// Messenger audio and video: 10/s per Page.
    case heavyMedia(String)
    /// One Telegram private chat: 1 message/s.
    case chat(account: String, chat: String)
    /// One Telegram group, supergroup or channel: 20 messages/min.
    case group(account: String, chat: String)
    /// A job's own `options.rate`, below the account's.
    case job(String)
}
