/// What a tracked link stands for: the campaign, the subscriber it was sent to, and which of the message's
/// links (in the order the renderers number them).
public struct ClickTarget: Sendable, Hashable {
    public var campaignID: Int64
    public var subscriberID: Int64
    public var linkIndex: Int

    public init(campaignID: Int64, subscriberID: Int64, linkIndex: Int) {
        self.campaignID = campaignID
        self.subscriberID = subscriberID
        self.linkIndex = linkIndex
    }
}

/// Turns a link into its tracked form (`https://herald.example.com/c/TOKEN`); made by the shell, which holds
/// the signing key.
public struct LinkTracker: Sendable {
    public let url: @Sendable (ClickTarget) -> String

    public init(url: @escaping @Sendable (ClickTarget) -> String) { self.url = url }
}
