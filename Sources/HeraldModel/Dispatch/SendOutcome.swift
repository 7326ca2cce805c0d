/// What one API answer means for a delivery, by who must react (../shared/PLATFORMS.md §1.3, §2.4).
public enum SendOutcome: Sendable, Equatable {
    /// Accepted by the platform: its message id, and a reusable media id when it returned one.
    case sent(messageID: String, reusableMediaID: String?)
    /// A transient failure (5xx, network, Messenger 1200 or 1/2): retry with backoff.
    case retry(reason: String, after: Double?)
    /// Flood control: pause the scope that hit it (the whole account, or one chat) for `retryAfter` seconds.
    case rateLimited(scope: LimitScope, retryAfter: Double?, reason: String)
    /// The recipient cannot be reached: update the subscriber, never retry.
    case recipientGone(status: SubscriberStatus, reason: String)
    /// Messenger: outside the 24-hour window and no tag allows it.
    case outsideWindow(reason: String)
    /// The account cannot send at all (revoked token, restricted Page): pause its work and alert.
    case accountBroken(reason: String)
    /// The platform rejected this payload: no retry.
    case permanent(reason: String)
    /// Telegram: the group became a supergroup; resend to the new chat id.
    case migrated(newChatID: String)
    /// The request may or may not have been delivered (a timeout after sending): never blindly resend.
    case uncertain(reason: String)

    /// Which limiter a 429 paused.
    public enum LimitScope: Sendable, Equatable { case account, chat }

    /// An answer whose body is not the platform's JSON (a proxy's error page, say): retry a server error, not a
    /// client one; a success that cannot be read may have been sent, so it is uncertain, never resent blindly.
    static func unreadable(status: Int) -> SendOutcome {
        if (200..<300).contains(status) { return .uncertain(reason: "HTTP \(status) with an unreadable body") }
        return status >= 500 || status == 0
            ? .retry(reason: "HTTP \(status) with an unreadable body", after: nil)
            : .permanent(reason: "HTTP \(status) with an unreadable body")
    }
}

/// A subscriber's reachability.
public enum SubscriberStatus: String, Sendable, Equatable {
    case subscribed, unsubscribed, blocked, deactivated, invalid
    /// Telegram 403 "bot can't initiate conversation": the user never pressed Start.
    case neverStarted = "never_started"
}
