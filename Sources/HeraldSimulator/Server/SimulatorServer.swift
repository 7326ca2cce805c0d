import Crypto
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The simulated Telegram Bot API and Graph API on one loopback port, and the people behind them.
///
/// It owns the platform state (behind one lock), the HTTP server and the loop that plays people's reactions:
/// receipts and echoes posted to Herald's Messenger webhook, signed as Meta signs them; Telegram updates for
/// `getUpdates`; tracked links followed. It stops when its service group shuts down.
///
/// ```swift
/// let simulator = PlatformSimulator(settings: settings)
/// let group = ServiceGroup(services: [simulator], logger: logger)
/// ```
public final class PlatformSimulator: Service, Sendable {
    let state: Mutex<SimulatorState>
    let origin = ContinuousClock.now
    let host: String
    let requestedPort: Int
    let logger: Logger
    private let bound = Mutex<Int?>(nil)
    private let outbound = Outbound()
    /// Rung when people have something new to do, and when Telegram has updates to push.
    let reactionsBell = Doorbell()
    let updatesBell = Doorbell()
    /// Rung when updates are queued, for a waiting `getUpdates`.
    let pollBell = Doorbell()

    public init(settings: SimulatorSettings, host: String = "127.0.0.1", port: Int = 0, logger: Logger = Logger(label: "herald-sim")) {
        state = Mutex(SimulatorState(settings: settings))
        self.host = host
        self.requestedPort = port
        self.logger = logger
    }

    /// The bound port, once the server listens.
    public var port: Int? { bound.withLock { $0 } }

    /// `http://127.0.0.1:PORT`, once the server listens.
    public var baseURL: String? { port.map { "http://\(host):\($0)" } }

    /// Seconds since the simulator was made (the clock of its windows and reactions).
    var now: Double {
        let elapsed = ContinuousClock.now - origin
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    public func run() async throws {
        let application = Application(
            responder: SimulatorResponder(simulator: self),
            server: .http1(configuration: .init(additionalChannelHandlers: [HangUpHandler()])),
            configuration: .init(address: .hostname(host, port: requestedPort), serverName: "herald-sim"),
            onServerRunning: { [self] channel in self.bound.withLock { $0 = channel.localAddress?.port } },
            logger: logger
        )
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await application.runService() }
                group.addTask { try await self.playReactions() }
                group.addTask { try await self.deliverTelegramWebhook() }
            }
        } onGracefulShutdown: {
            self.ringBells()
        }
    }

    /// Something may have changed what people or Telegram have to do: the loops look again.
    func ringBells() {
        reactionsBell.ring()
        updatesBell.ring()
        pollBell.ring()
    }

    /// While a webhook is set, pushes pending updates to it one at a time, in order, as Telegram does; an update
    /// is forgotten once answered 2xx, and retried after a second otherwise. The HTTPS webhook URL is reached
    /// through `telegramWebhookForward` (the TLS proxy that would stand in front of Herald).
    private func deliverTelegramWebhook() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let (next, url, secret) = state.withLock { state -> (WireJSON?, String?, String?) in
                guard !state.webhookURL.isEmpty, let forward = state.settings.telegramWebhookForward, let update = state.updates.first,
                      let path = URL(string: state.webhookURL)?.path
                else { return (nil, nil, nil) }
                return (update, forward + path, state.webhookSecret)
            }
            guard let next, let url else {
                await updatesBell.wait(seconds: nil)
                continue
            }
            var headers = ["Content-Type": "application/json"]
            if let secret { headers["X-Telegram-Bot-Api-Secret-Token"] = secret }
            let status = await outbound.post(url, body: Array(next.text.utf8), headers: headers)
            if let status, (200..<300).contains(status) {
                state.withLock { state in
                    if state.updates.first == next { state.updates.removeFirst() }
                    state.count("telegram_webhook_updates")
                }
            } else {
                state.withLock { $0.count("telegram_webhook_failures") }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Plays reactions when they fall due, until shutdown.
    private func playReactions() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                let (due, next) = state.withLock { state in (state.reactions.due(at: now), state.reactions.next) }
                let webhookEvents = due.compactMap { if case .messengerEvent(let event) = $0 { event } else { nil } }
                if !webhookEvents.isEmpty {
                    // Meta batches what happens together into one POST (up to 1,000 events).
                    for batch in stride(from: 0, to: webhookEvents.count, by: 100).map({ Array(webhookEvents[$0..<min($0 + 100, webhookEvents.count)]) }) {
                        group.addTask { await self.postMessengerWebhook(batch) }
                    }
                }
                for reaction in due {
                    switch reaction {
                    case .messengerEvent: break
                    case .telegramUpdate(let update):
                        state.withLock { $0.queueUpdate(update) }
                        updatesBell.ring()
                        pollBell.ring()
                    case .fetch(let url, let agent, let counter):
                        group.addTask {
                            let status = await self.outbound.fetch(url, userAgent: agent)
                            self.state.withLock { $0.count(status == nil ? "\(counter)_unanswered" : counter) }
                        }
                    }
                }
                await reactionsBell.wait(seconds: next.map { max($0 - now, 0) })
            }
        }
    }

    private func postMessengerWebhook(_ events: [WireJSON]) async {
        let (url, secret, page) = state.withLock { ($0.settings.messengerWebhookURL, $0.settings.appSecret, $0.settings.pageID) }
        guard let url else { return }
        let body: WireJSON = ["object": "page", "entry": [["id": .string(page), "time": .int(Int64(Date().timeIntervalSince1970 * 1000)), "messaging": .array(events)]]]
        let bytes = Array(MetaJSON.escaped(body.text).utf8)
        let signature = HMAC<SHA256>.authenticationCode(for: bytes, using: SymmetricKey(data: Array(secret.utf8)))
        let hex = signature.map { String(format: "%02x", $0) }.joined()
        // Meta retries a failed delivery; three tries here, a second apart.
        for attempt in 0..<3 {
            if await outbound.post(url, body: bytes, headers: ["Content-Type": "application/json", "X-Hub-Signature-256": "sha256=\(hex)"]) == 200 {
                state.withLock { $0.count("webhook_events", by: events.count) }
                return
            }
            if attempt < 2 { try? await Task.sleep(for: .seconds(1)) }
        }
        state.withLock { $0.count("webhook_events_undelivered", by: events.count) }
    }
}

/// Meta's JSON spelling in webhooks: non-ASCII as `\uXXXX` and `/` as `\/`, which the signature covers.
enum MetaJSON {
    static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for unit in text.utf16 {
            if unit == 0x2F {
                out += "\\/"
            } else if unit < 0x80 {
                out.unicodeScalars.append(Unicode.Scalar(unit)!)
            } else {
                out += String(format: "\\u%04x", unit)
            }
        }
        return out
    }
}
