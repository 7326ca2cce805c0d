import Foundation

/// What the simulated platforms know and how they behave: credentials, limits, latency, people and reactions.
public struct SimulatorSettings: Sendable {
    /// The one bot token the Bot API accepts (`<bot id>:<secret>`).
    public var telegramToken = "123456:TEST-token"
    /// The bot's username, as `getMe` answers it.
    public var telegramUsername = "shop_test_bot"
    /// The one Page access token the Graph API accepts.
    public var messengerToken = "EAAG-test-page-token"
    /// The Page that token belongs to.
    public var pageID = "100000000000001"
    /// The Meta app's secret: every webhook the simulator posts is signed with it.
    public var appSecret = "simulator-app-secret"
    /// The app id that Meta puts in echoes of the messages this app sent.
    public var appID: Int64 = 1_111_111_111
    /// Where Meta posts the Page's webhooks (Herald's `/webhooks/messenger`); nil: none are posted.
    public var messengerWebhookURL: String?
    /// Where Telegram's webhook posts really go (`http://127.0.0.1:PORT`, the path taken from the webhook's https URL):
    /// the TLS-terminating proxy in front of Herald. nil: updates wait for `getUpdates` even with a webhook set.
    public var telegramWebhookForward: String?
    /// Added before answering each API call.
    public var latency: LatencyDistribution = .none
    /// Refuse calls over the platforms' limits with their 429 / rate-limit errors (always counted as violations).
    public var enforceLimits = false
    /// A bot's messages per second: Telegram's 30, and 1,000 for paid broadcasts; nil keeps those (a benchmark sets its own).
    public var telegramBotLimit: Int?
    /// Keep every API request for `/_/requests` (a benchmark of millions of sends turns it off).
    public var recordRequests = true
    /// How the simulated people react to what they receive.
    public var behaviour = Behaviour()
    /// Randomness, so that a run can be replayed.
    public var seed: UInt64 = 0x5EED

    public init() {}

    /// How long after a message its receipts and reactions come, and how often.
    public struct Behaviour: Sendable {
        /// People who react at all (receipts still come for everyone reachable).
        public var delivery: ClosedRange<Double> = 0.05...0.4
        /// Share of delivered messages that are read (Messenger only: Telegram tells bots nothing).
        public var readShare = 0.7
        public var read: ClosedRange<Double> = 0.2...1.5
        /// Share of messages with buttons whose reader taps one (a URL button is followed through its link).
        public var clickShare = 0.3
        public var click: ClosedRange<Double> = 0.3...2.0
        /// Share of messages with links whose link a preview bot fetches first (Telegram's and Meta's crawlers).
        public var previewShare = 0.25
        /// Share of readers who answer STOP to a campaign.
        public var stopShare = 0.03
        public init() {}
    }
}

/// Latency added to API answers.
public enum LatencyDistribution: Sendable, Equatable {
    case none
    case fixed(milliseconds: Double)
    /// Uniform between the two bounds.
    case uniform(ClosedRange<Double>)

    func sample(_ random: inout SimulatorRandom) -> Double {
        switch self {
        case .none: 0
        case .fixed(let milliseconds): milliseconds
        case .uniform(let range): random.uniform(range)
        }
    }
}
