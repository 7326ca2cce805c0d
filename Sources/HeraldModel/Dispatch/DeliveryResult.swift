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

    public init(
        deliveryID: Int64, campaignID: Int64, subscriberID: Int64, account: String, state: State, messageID: String? = nil, reason: String? = nil,
        partsSent: Int = 0, nextAttemptAt: Int64? = nil, subscriberStatus: String? = nil, migratedChatID: String? = nil, possibleDuplicate: Bool = false
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
    }
}
