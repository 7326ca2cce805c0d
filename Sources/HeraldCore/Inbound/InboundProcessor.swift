import Foundation
import HeraldModel
import Logging
import ServiceLifecycle

/// Works through stored webhook bodies and polled updates in order: parses them, routes Messenger events to
/// their account by Page id, applies them in one transaction per batch (`HeraldStore.applyInbound`), then does
/// what must happen outside the database: answers Telegram callback queries, tells the dispatcher who changed,
/// wakes it for automated messages, and, when idle, fetches Messenger profiles and applies changed
/// presentations (`PresentationSync`).
///
/// A body is marked processed in the same transaction as its effects, and events are keyed, so a crash
/// between the two repeats nothing.
public final class InboundProcessor: Service, Sendable {
    let store: HeraldStore
    let settings: ConfigurationHolder
    let transport: any HTTPTransport
    /// Signalled by the journal and the poller when they stored something.
    let wakeup: Wakeup
    let dispatcher: Dispatcher<ContinuousClock>?
    let dispatcherWakeup: Wakeup
    let metrics: HeraldMetrics
    let logger: Logger
    let now: @Sendable () -> Date
    /// How long processed bodies and event keys are kept (for `herald`'s own inspection, and deduplication
    /// far beyond the platforms' redelivery windows).
    public static let retention: TimeInterval = 7 * 86_400

    public init(
        store: HeraldStore, settings: ConfigurationHolder, transport: any HTTPTransport, wakeup: Wakeup, dispatcher: Dispatcher<ContinuousClock>?,
        dispatcherWakeup: Wakeup, metrics: HeraldMetrics = HeraldMetrics(), logger: Logger, now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.metrics = metrics
        self.store = store
        self.settings = settings
        self.transport = transport
        self.wakeup = wakeup
        self.dispatcher = dispatcher
        self.dispatcherWakeup = dispatcherWakeup
        self.logger = logger
        self.now = now
    }

    public func run() async throws {
        var failures = FailureStreak(base: 1, cap: 30)
        var unknownPages = Set<String>()
        let clock = ContinuousClock()
        var nextPrune = clock.now
        var presentation = PresentationSync.Memory()
        await withGracefulShutdownHandler {
            var retryAt: ContinuousClock.Instant?
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                if let retry = retryAt {
                    _ = await wakeup.wait(until: retry, clock: clock)
                    if clock.now < retry { continue }
                    retryAt = nil
                }
                do {
                    let handled = try await processBatch(unknownPages: &unknownPages)
                    if failures.succeeded() != nil { logger.notice("inbound processing resumed", metadata: ["event": "inbound_resumed"]) }
                    if handled == 0 {
                        await fetchProfiles()
                        await PresentationSync(store: store, transport: transport, logger: logger).pass(settings.configuration, memory: &presentation, now: now())
                        if clock.now >= nextPrune {
                            nextPrune = clock.now.advanced(by: .seconds(3600))
                            if let (bodies, keys) = try? await store.pruneInbound(before: now().addingTimeInterval(-Self.retention)), bodies + keys > 0 {
                                logger.info("pruned \(bodies) processed webhook bodies and \(keys) event keys older than 7 days", metadata: ["event": "inbound_pruned"])
                            }
                            if let purged = try? await store.purgeExpiredOptIns(now: now()), purged > 0 {
                                logger.info("purged \(purged) popup form submissions whose person never came", metadata: ["event": "optins_purged"])
                            }
                        }
                        // Bodies are signalled as they are stored; the deadline only bounds a missed signal.
                        _ = await wakeup.wait(until: clock.now.advanced(by: .seconds(5)), clock: clock)
                    }
                } catch {
                    let (delay, isNew) = failures.failed()
                    if isNew { logger.error("inbound processing failed; retrying, up to every \(Int(failures.cap)) s: \(error)", metadata: ["event": "inbound_error"]) }
                    retryAt = clock.now.advanced(by: .seconds(delay))
                }
            }
        } onGracefulShutdown: { [wakeup] in
            wakeup.signal(.shutdown)
        }
    }

    /// Processes up to one batch; returns how many bodies it handled.
    func processBatch(unknownPages: inout Set<String>) async throws -> Int {
        let records = try await store.unprocessedInbound(limit: 128)
        guard !records.isEmpty else { return 0 }
        let configuration = settings.configuration
        let pages = Dictionary(configuration.accounts.values.compactMap { account in account.pageID.map { ($0, account.name) } }) { first, _ in first }
        var batch: [ParsedInbound] = []
        var accounts = Set<String>()
        for record in records {
            var parsed = ParsedInbound(recordID: record.id, events: [])
            do {
                switch record.platform {
                case .messenger:
                    for event in try MessengerWebhook.events(record.body) {
                        guard let page = event.pageID, let account = pages[page] else {
                            if let page = event.pageID, unknownPages.insert(page).inserted {
                                logger.warning("Messenger events for Page \(page), which no account has (page_id); they are ignored", metadata: ["event": "inbound_unknown_page"])
                            }
                            continue
                        }
                        parsed.events.append((account, event))
                    }
                case .telegram:
                    guard let account = record.account else { break }
                    for event in try Self.telegramEvents(record.body) { parsed.events.append((account, event)) }
                }
            } catch {
                parsed.error = "\(error)"
                logger.warning("inbound body \(record.id) cannot be read and is set aside: \(error)", metadata: ["event": "inbound_unreadable", "inbound.id": "\(record.id)"])
            }
            accounts.formUnion(parsed.events.map(\.account))
            batch.append(parsed)
        }
        var automations: [String: Automations] = [:]
        let decoder = configuration.jobDecoder(now: now())
        for account in accounts { automations[account] = try await store.automationSettings(account: account, decoder: decoder) }
        let platforms = configuration.accounts.mapValues(\.platform)
        let effects = try await store.applyInbound(batch, automations: automations, platforms: platforms, options: configuration.defaultOptions, now: now())
        for (platform, events) in Dictionary(grouping: batch.flatMap(\.events), by: { platforms[$0.account] ?? .telegram }) {
            metrics.inbound(platform: platform, kinds: events.map(\.event.kind.name))
        }
        dispatcher?.subscribersChanged(effects.changed.map { ($0.subscriberID, $0.status, $0.lastInboundAt) })
        if effects.messagesQueued > 0 { dispatcherWakeup.signal(.jobs) }
        if effects.echoesResolved > 0 {
            logger.notice("\(effects.echoesResolved) uncertain deliveries proved sent by Messenger echoes", metadata: ["event": "echo_resolved", "count": "\(effects.echoesResolved)"])
        }
        await answerCallbacks(effects.callbacks, configuration: configuration)
        return records.count
    }

    /// A `getUpdates` batch (an array) or one webhook Update. In a batch, an element that is no Update is
    /// skipped, not the batch with it.
    static func telegramEvents(_ body: [UInt8]) throws -> [InboundEvent] {
        let root = try JSONParser(maxDepth: 64).parse(body)
        if case .array(let updates) = root { return updates.compactMap { try? TelegramUpdate.event($0) } }
        return [try TelegramUpdate.event(root)]
    }

    /// Telegram keeps a spinner on the button until its query is answered; an answer that fails is only logged.
    private func answerCallbacks(_ callbacks: [InboundEffects.CallbackAnswer], configuration: Configuration) async {
        for callback in callbacks {
            guard let account = configuration.accounts[callback.account] else { continue }
            if case .failure(let failure) = await TelegramBotAPI(account: account, transport: transport).call("answerCallbackQuery", ["callback_query_id": .string(callback.queryID)]) {
                logger.info("answerCallbackQuery for \(callback.account) failed: \(failure)", metadata: ["event": "callback_answer_failed", "account": "\(callback.account)"])
            }
        }
    }

    /// Names for new Messenger subscribers, a few at a time while the queue is idle (the Graph API rate-limits
    /// per Page). One that cannot be had is marked asked, so it is not asked again and again.
    private func fetchProfiles() async {
        let configuration = settings.configuration
        let accounts = configuration.accounts.values.filter { $0.platform == .messenger && $0.token != nil }.map(\.name)
        guard let pending = try? await store.profilesToFetch(accounts: accounts, limit: 10) else { return }
        for (name, psid) in pending {
            guard let account = configuration.accounts[name] else { continue }
            switch await GraphProfileAPI(account: account, transport: transport).profile(psid) {
            case .success(let profile):
                try? await store.storeProfile(account: name, psid: psid, firstName: profile.firstName, lastName: profile.lastName, locale: profile.locale, now: now())
            case .failure(let failure) where failure.transient:
                return
            case .failure(let failure):
                logger.info("no profile for \(psid) on \(name): \(failure.description)", metadata: ["event": "profile_unavailable", "account": "\(name)"])
                try? await store.storeProfile(account: name, psid: psid, firstName: nil, lastName: nil, locale: nil, now: now())
            }
        }
    }
}
