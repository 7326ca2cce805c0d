/// A delivery that is due, as loaded from the ledger, with its recipient's profile.
public struct PendingDelivery: Sendable, Equatable {
    public var id: Int64
    public var campaignID: Int64
    public var subscriberID: Int64
    /// Attempts made so far (each `sending` mark counts one).
    public var attempts: Int
    /// Wall-clock milliseconds of the first attempt, if any.
    public var firstAttemptAt: Int64?
    /// Calls of a multi-part message already accepted by the platform.
    public var partsSent: Int
    /// It may already have gone out (in flight at a crash, or unanswered): a resend is a possible duplicate.
    public var wasUncertain: Bool
    public var profile: Profile
    /// The subscriber's status when loaded (`subscribed`, `blocked`, …).
    public var status: String
    /// Wall-clock milliseconds of the subscriber's last inbound message (Messenger's 24-hour window).
    public var lastInboundAt: Int64?

    public init(
        id: Int64, campaignID: Int64, subscriberID: Int64, attempts: Int = 0, firstAttemptAt: Int64? = nil, partsSent: Int = 0,
        wasUncertain: Bool = false, profile: Profile, status: String = "subscribed", lastInboundAt: Int64? = nil
    ) {
        self.id = id
        self.campaignID = campaignID
        self.subscriberID = subscriberID
        self.attempts = attempts
        self.firstAttemptAt = firstAttemptAt
        self.partsSent = partsSent
        self.wasUncertain = wasUncertain
        self.profile = profile
        self.status = status
        self.lastInboundAt = lastInboundAt
    }
}
