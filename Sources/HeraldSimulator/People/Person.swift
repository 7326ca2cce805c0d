/// One simulated person with a Telegram account or a Messenger PSID for the simulated Page.
public struct Person: Sendable, Equatable {
    /// Which platform they use.
    public enum Network: String, Sendable { case telegram, messenger }

    /// Whether the bot or Page can reach them.
    public enum Reachability: String, Sendable {
        /// Talks to the bot: sends succeed.
        case reachable
        /// Blocked the bot or the Page: Telegram 403, Messenger 551.
        case blocked
        /// Deleted their account: Telegram 403 "user is deactivated", Messenger 200 / 1545041.
        case deactivated
        /// Never pressed Start: Telegram 403 "can't initiate conversation"; on Messenger outside the window.
        case neverStarted
    }

    public var network: Network
    /// The Telegram user id (also their private chat id) or the Messenger PSID.
    public var id: String
    public var firstName: String
    public var lastName: String
    public var username: String?
    /// `en_GB` style, as Meta gives it; Telegram's `language_code` is its language part.
    public var locale: String
    public var timeZone: Double
    public var reachability: Reachability
    /// The growth source they come through (`website_button`, `qr_code`, …).
    public var source: String

    public init(network: Network, id: String, firstName: String, lastName: String, username: String? = nil, locale: String, timeZone: Double, reachability: Reachability, source: String) {
        self.network = network
        self.id = id
        self.firstName = firstName
        self.lastName = lastName
        self.username = username
        self.locale = locale
        self.timeZone = timeZone
        self.reachability = reachability
        self.source = source
    }
}
