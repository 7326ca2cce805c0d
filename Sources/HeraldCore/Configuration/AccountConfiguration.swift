import HeraldModel

/// One Telegram bot or Messenger Page that jobs refer to by name.
public struct AccountConfiguration: Sendable, Equatable {
    public var name: String
    public var platform: Platform
    /// Where the platform's API lives; tests and the demo point this at a loopback simulator.
    public var apiBaseURL: String
    /// The bot token or Page access token; nil until one is configured (the account then cannot send).
    public var token: Secret?
    /// Messenger: the Page id, the app secret (webhook signatures) and the pinned Graph API version.
    public var pageID: String?
    public var appSecret: Secret?
    public var graphVersion: String
    /// Messages per second this account may send.
    public var rate: Double
    /// Telegram: whether paid broadcast (up to 1000 msg/s, billed in Stars) is enabled for this bot.
    public var paidBroadcast: Bool
    /// Messenger: the token Meta echoes when it verifies the webhook (`hub.verify_token`).
    public var verifyToken: Secret?
    /// Telegram: the `secret_token` given to `setWebhook`, checked on every webhook call.
    public var webhookSecret: Secret?
    /// Telegram: how updates arrive.
    public var updates = UpdatesMode.poll
    /// The bot's username or the Page's name, for m.me / t.me links (nil: the Page id, or the bot's getMe).
    public var publicName: String?

    /// How a Telegram bot receives its updates (the two are exclusive on Telegram's side).
    public enum UpdatesMode: String, Sendable, Equatable, CaseIterable {
        /// `getUpdates` long polling: works without a public URL.
        case poll
        /// Telegram POSTs to `/webhooks/telegram/<account>` (set it with `herald telegram set-webhook`).
        case webhook
        /// Neither: Herald only sends.
        case off
    }

    public init(
        name: String, platform: Platform, apiBaseURL: String, token: Secret?, pageID: String?, appSecret: Secret?,
        graphVersion: String, rate: Double, paidBroadcast: Bool
    ) {
        self.name = name
        self.platform = platform
        self.apiBaseURL = apiBaseURL
        self.token = token
        self.pageID = pageID
        self.appSecret = appSecret
        self.graphVersion = graphVersion
        self.rate = rate
        self.paidBroadcast = paidBroadcast
    }

    public static func defaultBaseURL(for platform: Platform) -> String {
        switch platform {
        case .telegram: "https://api.telegram.org"
        case .messenger: "https://graph.facebook.com"
        }
    }

    public static func defaultRate(for platform: Platform) -> Double {
        switch platform {
        case .telegram: 30
        case .messenger: 300
        }
    }
}
