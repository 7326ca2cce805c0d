/// What happened to one delivery, to be written to the ledger with its event.
public struct DeliveryResult: Sendable, Equatable {
    /// The delivery's state after this result.
    public enum State: String, Sendable { case sent, failed, skipped, pending, uncertain }

    public var deliveryID: Int64
    public var campaignID: Int64
    public var subscriberID: Int64
    public var account: String
    public var state: State
    public var messageID: String?
    public var reason: String?
    public var partsSent: Int
    /// Wall-clock milliseconds when a pending or uncertain delivery is due again.
    public var nextAttemptAt: Int64?
    /// Set when the subscriber's reachability changed (blocked, deactivated, …).
    public var subscriberStatus: String?
    /// Telegram: the chat's new id after a group upgrade.
    public var migratedChatID: String?
    public var possibleDuplicate: Bool
    /// Wall-clock milliseconds when a sent delivery's first call went out (nil: when it is recorded).
    public var sentAt: Int64?

    public init(
        deliveryID: Int64, campaignID: Int64, subscriberID: Int64, account: String, state: State, messageID: String? = nil, reason: String? = nil,
        partsSent: Int = 0, nextAttemptAt: Int64? = nil, subscriberStatus: String? = nil, migratedChatID: String? = nil, possibleDuplicate: Bool = false,
        sentAt: Int64? = nil
    ) {
        self.deliveryID = deliveryID
        self.campaignID = campaignID
        self.subscriberID = subscriberID
        self.account = account
        self.state = state
        self.messageID = messageID
        self.reason = reason
        self.partsSent = partsSent
        self.nextAttemptAt = nextAttemptAt
        self.subscriberStatus = subscriberStatus
        self.migratedChatID = migratedChatID
        self.possibleDuplicate = possibleDuplicate
        self.sentAt = sentAt
    }
}

extension DeliveryResult {
    /// The reason as one of a few words, for a metric's label: a platform's own wording is unbounded, a label
    /// must not be. `ok` for a send; the subscriber's new status for someone gone; else the kind of failure.
    public var reasonClass: String {
        switch state {
        case .sent:
            return "ok"
        case .uncertain:
            return "uncertain"
        case .pending:
            guard let reason else { return "retry" }
            if reason.hasPrefix("rate limited") { return "rate_limited" }
            if reason.hasPrefix("account outage") { return "outage" }
            return "retry"
        case .failed:
            if let subscriberStatus { return subscriberStatus }
            if reason?.hasPrefix("gave up") == true { return "gave_up" }
            return "refused"
        case .skipped:
            let word = reason.map { String($0.prefix { $0 != ":" && $0 != " " }) } ?? ""
            return ["expired", "outside_window", "unsubscribed", "blocked", "deactivated", "never_started", "invalid", "cancelled"].contains(word) ? word : "other"
        }
    }
}
