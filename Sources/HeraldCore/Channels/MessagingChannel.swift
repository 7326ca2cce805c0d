import HeraldModel

/// Sends one rendered API call for an account and says what the answer means.
///
/// ```swift
/// let channel = ChannelFactory.channel(for: account, transport: transport)
/// let outcome = await channel.send(message)
/// ```
public protocol MessagingChannel: Sendable {
    func send(_ message: OutgoingMessage) async -> SendOutcome
}

/// Builds the channel matching an account's platform.
public enum ChannelFactory {
    public static func channel(for account: AccountConfiguration, transport: any HTTPTransport) -> any MessagingChannel {
        switch account.platform {
        case .telegram: TelegramChannel(account: account, transport: transport)
        case .messenger: MessengerChannel(account: account, transport: transport)
        }
    }

    /// What a transport failure means: retry when the request never left, uncertain when it may have arrived.
    static func outcome(of failure: String, requestSent: Bool) -> SendOutcome {
        requestSent ? .uncertain(reason: failure) : .retry(reason: failure, after: nil)
    }
}
