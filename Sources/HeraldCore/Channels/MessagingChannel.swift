import HeraldModel

/// Sends one rendered API call for an account and says what the answer means.
///
/// ```swift
/// let channel = ChannelFactory.channel(for: account, transport: transport)
/// let outcome = await channel.send(message)
/// ```
public protocol MessagingChannel: Sendable {
    var transport: any HTTPTransport { get }
    /// The HTTP call for a message, or the outcome when none can be made (no token, no page id).
    func request(for message: OutgoingMessage) -> Result<HTTPRequest, ChannelRefusal>
    /// What the platform's answer means.
    func classify(status: Int, body: [UInt8]) -> SendOutcome
}

/// A message the channel cannot even send, and what that means for its delivery.
public struct ChannelRefusal: Error {
    public var outcome: SendOutcome
}

extension MessagingChannel {
    public func send(_ message: OutgoingMessage) async -> SendOutcome {
        switch request(for: message) {
        case .failure(let refusal): refusal.outcome
        case .success(let request): outcome(of: await transport.send(request))
        }
    }

    /// Sends without a task: `completion` gets the outcome on the transport's thread, with how many seconds before
    /// it the request was written (nil: not written, or not known). Returns the transport's call id (for `cancel`),
    /// or nil when the outcome was known at once (and `completion` already ran).
    @discardableResult
    public func send(_ message: OutgoingMessage, completion: @escaping @Sendable (SendOutcome, Double?) -> Void) -> Int? {
        switch request(for: message) {
        case .failure(let refusal):
            completion(refusal.outcome, nil)
            return nil
        case .success(let request):
            return transport.send(request, timedCompletion: { [self] result, written in completion(outcome(of: result), written) })
        }
    }

    /// An answer by the platform's rules; a transport failure is retried when the request never left, and
    /// uncertain when it may have arrived.
    func outcome(of result: HTTPResult) -> SendOutcome {
        switch result {
        case .response(let status, let body): classify(status: status, body: body)
        case .failure(let reason, let sent): sent ? .uncertain(reason: reason) : .retry(reason: reason, after: nil)
        }
    }
}

/// Builds the channel matching an account's platform.
public enum ChannelFactory {
    public static func channel(for account: AccountConfiguration, transport: any HTTPTransport) -> any MessagingChannel {
        switch account.platform {
        case .telegram: TelegramChannel(account: account, transport: transport)
        case .messenger: MessengerChannel(account: account, transport: transport)
        }
    }
}
