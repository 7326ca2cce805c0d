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

    /// Sends and classifies: an answer by the platform's rules; a transport failure is retried when the request
    /// never left, and uncertain when it may have arrived.
    static func send(_ request: HTTPRequest, over transport: any HTTPTransport, classify: (Int, [UInt8]) -> SendOutcome) async -> SendOutcome {
        switch await transport.send(request) {
        case .response(let status, let body): classify(status, body)
        case .failure(let reason, let sent): sent ? .uncertain(reason: reason) : .retry(reason: reason, after: nil)
        }
    }
}
