import Foundation
import HeraldModel
import Logging
import ServiceLifecycle

/// `getUpdates` long polling for every Telegram account with `updates = "poll"` and a token: each answer's
/// updates are stored with the next offset in one transaction, so none is lost or taken twice across restarts
/// and kill -9 (Telegram forgets an update only when a later call confirms it by its offset).
public final class TelegramPoller: Service, Sendable {
    let store: HeraldStore
    let settings: ConfigurationHolder
    let transport: any HTTPTransport
    /// Signalled after updates are stored.
    let processorWakeup: Wakeup
    let logger: Logger
    let now: @Sendable () -> Date
    /// Seconds Telegram holds a poll open when there is nothing.
    let pollSeconds: Int

    public static let allowedUpdates = ["message", "edited_message", "callback_query", "my_chat_member"]

    public init(
        store: HeraldStore, settings: ConfigurationHolder, transport: any HTTPTransport, processorWakeup: Wakeup, logger: Logger,
        pollSeconds: Int = 25, now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.store = store
        self.settings = settings
        self.transport = transport
        self.processorWakeup = processorWakeup
        self.logger = logger
        self.pollSeconds = pollSeconds
        self.now = now
    }

    public func run() async throws {
        // The accounts polled are those configured at start; a reload that adds one takes a restart.
        let accounts = settings.configuration.accounts.values.filter { $0.platform == .telegram && $0.updates == .poll && $0.token != nil }
        guard !accounts.isEmpty else {
            try? await gracefulShutdown()
            return
        }
        try? await cancelWhenGracefulShutdown { () async throws in
            await withDiscardingTaskGroup { group in
                for account in accounts {
                    group.addTask { await self.poll(account.name) }
                }
            }
        }
        // A service that returns early would stop the daemon: a poll loop ends only when its account lost its token.
        try? await gracefulShutdown()
    }

    private func poll(_ name: String) async {
        var failures = FailureStreak(base: 1, cap: 30)
        var offset: Int64?
        while !Task.isCancelled {
            guard let account = settings.configuration.accounts[name], account.token != nil else { return }
            do {
                if offset == nil { offset = try await store.telegramOffset(name) ?? 0 }
                var parameters: JSONObject = ["timeout": .number(String(pollSeconds)), "allowed_updates": .array(Self.allowedUpdates.map { .string($0) })]
                if let offset, offset > 0 { parameters.insert("offset", .number(String(offset))) }
                let answer = await TelegramBotAPI(account: account, transport: transport).call("getUpdates", parameters, timeoutSeconds: pollSeconds + 15)
                guard !Task.isCancelled else { return }
                switch answer {
                case .success(.array(let updates)):
                    if failures.succeeded() != nil { logger.notice("getUpdates for \(name) works again", metadata: ["event": "poll_resumed", "account": "\(name)"]) }
                    guard let last = updates.compactMap(TelegramUpdate.updateID).max() else { continue }
                    let next = last + 1
                    try await store.appendPolled(account: name, updates: Array(JSONValue.array(updates).jsonText.utf8), nextOffset: next, now: now())
                    offset = next
                    processorWakeup.signal(.jobs)
                case .success:
                    throw TelegramBotAPI.Failure(code: 0, description: "getUpdates answered something other than an array")
                case .failure(let failure):
                    throw failure
                }
            } catch {
                let (delay, isNew) = failures.failed()
                if isNew { logger.error("getUpdates for \(name) failed; retrying, up to every \(Int(failures.cap)) s: \(Self.advice(error))", metadata: ["event": "poll_error", "account": "\(name)"]) }
                var wait = delay
                if let failure = error as? TelegramBotAPI.Failure, let retryAfter = failure.retryAfter { wait = max(wait, retryAfter) }
                try? await Task.sleep(for: .seconds(wait))
            }
        }
    }

    static func advice(_ error: any Error) -> String {
        guard let failure = error as? TelegramBotAPI.Failure else { return "\(error)" }
        switch failure.code {
        case 409: return "\(failure.description): a webhook is set for this bot; run `herald telegram delete-webhook` or set updates = \"webhook\""
        case 401: return "\(failure.description): the bot token is wrong or revoked"
        default: return failure.description
        }
    }
}
