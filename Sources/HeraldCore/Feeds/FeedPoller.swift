import Foundation
import HeraldModel
import Logging
import ServiceLifecycle
import Synchronization

/// Polls every feed automation on its schedule (`FeedSchedulerStateMachine`) through the shared transport:
/// conditional GET, redirects, gzip and size and time limits; the new items become campaigns through the store's
/// one way in, written in the same transaction as the items remembered, so none is sent twice or lost.
public final class FeedPoller<C: Clock>: Service, Sendable where C.Duration == Duration {
    let store: HeraldStore
    let settings: ConfigurationHolder
    let transport: any HTTPTransport
    /// Signalled after campaigns are created.
    let dispatcherWakeup: Wakeup
    /// Signalled by the intake when a feed job was accepted.
    let feedsChanged: Wakeup
    let metrics: HeraldMetrics
    let logger: Logger
    let clock: C
    let now: @Sendable () -> Date
    let limits: Limits
    private let finished = Mutex<[(name: String, succeeded: Bool)]>([])

    /// What one fetch may take.
    public struct Limits: Sendable {
        public var timeoutSeconds = 30
        public var maxBytes = 10 << 20
        public var maxRedirects = 5
        public var maxConcurrentPolls = 4

        public init() {}
    }

    public init(
        store: HeraldStore, settings: ConfigurationHolder, transport: any HTTPTransport, dispatcherWakeup: Wakeup, feedsChanged: Wakeup,
        metrics: HeraldMetrics, logger: Logger, clock: C, now: @escaping @Sendable () -> Date = Date.init, limits: Limits = Limits()
    ) {
        self.store = store
        self.settings = settings
        self.transport = transport
        self.dispatcherWakeup = dispatcherWakeup
        self.feedsChanged = feedsChanged
        self.metrics = metrics
        self.logger = logger
        self.clock = clock
        self.now = now
        self.limits = limits
    }

    /// The loop's state between passes.
    struct LoopState {
        var machine: FeedSchedulerStateMachine
        var failures = FailureStreak(base: 1, cap: 30)
    }

    public func run() async throws {
        var state = LoopState(machine: FeedSchedulerStateMachine(maxConcurrentPolls: limits.maxConcurrentPolls))
        await withDiscardingTaskGroup { group in
            await withGracefulShutdownHandler {
                var reasons: Wakeup.Reasons = [.jobs]
                while !Task.isShuttingDownGracefully && !Task.isCancelled {
                    await pass(&state, &group, reasons: reasons)
                    let deadline = state.machine.nextWake.map { clock.now.advanced(by: .seconds(max(0, $0.timeIntervalSince(now())))) }
                    reasons = await feedsChanged.wait(until: deadline, clock: clock)
                }
            } onGracefulShutdown: { [feedsChanged] in
                feedsChanged.signal(.shutdown)
            }
            // Polls in flight end at once: their fetches are cancelled and nothing of them is recorded.
            group.cancelAll()
        }
    }

    /// One pass: the feeds read again when a job changed them, finished polls in, due polls out.
    private func pass(_ state: inout LoopState, _ group: inout DiscardingTaskGroup, reasons: Wakeup.Reasons) async {
        var actions: [FeedSchedulerStateMachine.Action] = []
        if reasons.contains(.jobs) {
            do {
                let feeds = try await store.feeds()
                actions += state.machine.feedsLoaded(feeds.map(schedulable), now: now())
                _ = state.failures.succeeded()
            } catch {
                let (delay, isNew) = state.failures.failed()
                if isNew { logger.error("cannot read the feeds; trying again: \(error)", metadata: ["event": "feed_error"]) }
                feedsChanged.signal(.jobs)
                try? await clock.sleep(for: .seconds(delay))
            }
        }
        let done = finished.withLock { list in
            defer { list.removeAll() }
            return list
        }
        for (name, succeeded) in done {
            actions += state.machine.pollFinished(name: name, succeeded: succeeded, now: now())
        }
        actions += state.machine.due(now: now())
        for action in actions {
            switch action {
            case .poll(let name):
                group.addTask { [self] in
                    // Read afresh: the last run changed its validators and its first-run mark.
                    let feed: StoredFeed?
                    do { feed = try await store.feed(named: name) } catch { feed = nil }
                    var succeeded = false
                    if let feed { succeeded = await poll(feed) }
                    finished.withLock { $0.append((name, succeeded)) }
                    feedsChanged.signal(.outcome)
                }
            case .scheduled(let name, let at):
                do {
                    try await store.scheduleFeed(name, at: at)
                } catch {
                    logger.warning("cannot store when feed \(name) runs next: \(error)", metadata: ["event": "feed_error", "feed": "\(name)"])
                }
            }
        }
    }

    /// The feed as the schedule sees it (hourly when its stored frequency cannot be read: its run then says why).
    private func schedulable(_ feed: StoredFeed) -> FeedSchedulerStateMachine.Feed {
        let frequency: FeedJob.Frequency
        if let settings = try? JSONParser().parse(Array(feed.settings.utf8)), let node = settings["frequency"], let parsed = try? FeedJob.parseFrequency(JSONNode(node)) {
            frequency = parsed
        } else {
            frequency = .everyMinutes(60)
        }
        // Changed or asked to run since its last poll (a restart came between): polled now, not at its old time.
        let nextRunAt = feed.polledRevision == feed.revision ? feed.nextRunAt : nil
        return FeedSchedulerStateMachine.Feed(name: feed.name, frequency: frequency, nextRunAt: nextRunAt, version: feed.revision)
    }

    /// One run of one feed; false when it could not be fetched, read or recorded.
    func poll(_ feed: StoredFeed) async -> Bool {
        let configuration = settings.configuration
        let started = now()
        let job: FeedJob
        do {
            job = try Self.decode(feed, configuration: configuration, now: started)
        } catch {
            return await fail(feed, "its settings no longer validate against the configuration: \(error)")
        }
        guard let source = job.settings.source else { return await fail(feed, "it has no source") }
        var headers = ["Accept: application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"]
        if let etag = feed.etag { headers.append("If-None-Match: \(etag)") }
        if let lastModified = feed.lastModified { headers.append("If-Modified-Since: \(lastModified)") }
        let request = HTTPRequest(
            method: "GET", url: source.string, headers: headers, timeoutSeconds: limits.timeoutSeconds, maxResponseBytes: limits.maxBytes, maxRedirects: limits.maxRedirects
        )
        let response: FetchedResponse
        switch await transport.fetch(request) {
        case .success(let answer): response = answer
        case .failure(let failure):
            if Task.isCancelled { return false }
            return await fail(feed, "fetching \(source) failed: \(Self.wording(failure.reason))")
        }
        if response.status == 304 {
            do { try await store.recordFeedUnchanged(feed: feed.name, revision: feed.revision, now: now()) } catch { return await fail(feed, "cannot record the run: \(error)") }
            metrics.feedRun(feed: feed.name, outcome: "not_modified", itemsSent: 0)
            logger.debug("feed \(feed.name): not modified", metadata: ["event": "feed_unchanged", "feed": "\(feed.name)"])
            return true
        }
        guard (200..<300).contains(response.status) else {
            return await fail(feed, "\(source) answered HTTP \(response.status)\(response.status == 404 || response.status == 410 ? " (is the feed's address still right?)" : "")")
        }
        let document: FeedDocument
        do {
            document = try FeedParser.parse(response.body, url: response.url)
        } catch {
            return await fail(feed, "\(source) is not a feed Herald can read: \(error.reason)")
        }
        do {
            let seen = try await store.seenFeedItems(feed: feed.name, keys: document.items.map(\.key))
            let plan = FeedRunPlan(
                items: document.items, seen: seen, firstRun: feed.lastSuccessAt == nil, sendLatestOnFirstRun: job.settings.sendLatestOnFirstRun ?? 0,
                maxItems: job.settings.maxItems ?? FeedRunPlan.defaultMaxItems
            )
            let campaigns = Self.campaigns(for: plan, feed: feed.name, job: job, document: document, configuration: configuration)
            let record = FeedRunRecord(plan: plan, campaigns: campaigns, title: document.title, etag: response.header("ETag"), lastModified: response.header("Last-Modified"))
            guard let created = try await store.recordFeedRun(feed: feed.name, revision: feed.revision, record, now: now()) else {
                logger.info("feed \(feed.name) changed while it was fetched; it runs again with its new settings", metadata: ["event": "feed_changed", "feed": "\(feed.name)"])
                return true
            }
            if !created.isEmpty { dispatcherWakeup.signal(.jobs) }
            metrics.feedRun(feed: feed.name, outcome: plan.send.isEmpty ? "nothing_new" : "new_items", itemsSent: plan.send.count)
            let remembered = plan.skipped.count
            if !plan.send.isEmpty || remembered > 0 {
                let what = feed.lastSuccessAt == nil
                    ? "first run: \(remembered) existing items remembered, not sent\(plan.send.isEmpty ? "" : "; the latest \(plan.send.count) sent")"
                    : "\(plan.send.count) new items in \(created.count) campaigns (\(created.map(\.jobID.rawValue).joined(separator: ", ")))\(remembered > 0 ? "; \(remembered) more left out by max_items" : "")"
                logger.notice("feed \(feed.name): \(what)", metadata: ["event": "feed_run", "feed": "\(feed.name)", "items": "\(plan.send.count)", "campaigns": "\(created.count)"])
            }
            return true
        } catch {
            return await fail(feed, "cannot record the run: \(error)")
        }
    }

    private func fail(_ feed: StoredFeed, _ reason: String) async -> Bool {
        metrics.feedRun(feed: feed.name, outcome: "error", itemsSent: 0)
        // Said once per distinct reason: a feed that stays broken does not fill the journal at every retry.
        if feed.lastError != reason {
            logger.error("feed \(feed.name): \(reason)", metadata: ["event": "feed_error", "feed": "\(feed.name)"])
        }
        do { try await store.recordFeedFailure(feed: feed.name, revision: feed.revision, error: reason, now: now()) } catch {
            logger.error("cannot record feed \(feed.name)'s failure: \(error)", metadata: ["event": "feed_error", "feed": "\(feed.name)"])
        }
        return false
    }

    /// The stored settings, validated again as a job (an account may have gone since).
    public static func decode(_ feed: StoredFeed, configuration: Configuration, now: Date) throws -> FeedJob {
        guard case .feed(let job) = try StoredSettings.decode(type: "feed", name: feed.name, settings: feed.settings, configuration: configuration, now: now) else {
            throw StoredSettingsError("feed \(feed.name) decoded as another kind of job")
        }
        return job
    }

    /// The campaigns of a run: one per item sent, or one digest of them all.
    static func campaigns(for plan: FeedRunPlan, feed: String, job: FeedJob, document: FeedDocument, configuration: Configuration) -> [(jobID: JobID, draft: CampaignDraft, items: [String])] {
        guard let account = job.settings.account, let platform = job.settings.platform, !plan.send.isEmpty else { return [] }
        var options = job.settings.options ?? configuration.defaultOptions
        // Tracked links need the public URL of Herald's click redirect; without one, links go as they are.
        if configuration.http.publicURL == nil { options.tracking = false }
        let audience = job.settings.audience ?? .all
        let layout = job.settings.layout ?? .text
        func draft(_ items: [FeedItem], name: String) -> CampaignDraft? {
            let digest = job.settings.mode == .digest
            guard let content = FeedLayout.content(for: items, layout: layout, platform: platform, feedTitle: document.title, digest: digest) else { return nil }
            return CampaignDraft(
                kind: .campaign, account: account, name: String(name.prefix(200)),
                spec: CampaignSpec(platform: platform, content: content, options: options, audience: AudienceRule(audience)), audience: audience, source: "feed"
            )
        }
        if job.settings.mode == .digest {
            let keys = plan.send.map(\.key)
            guard let digest = draft(plan.send, name: "\(feed): \(plan.send.count) new") else { return [] }
            return [(JobID(unchecked: "feed.\(feed).digest.\(FeedSchedule.keyHash(keys.joined(separator: "\n")))"), digest, keys)]
        }
        return plan.send.compactMap { item in
            draft([item], name: "\(feed): \(item.title)").map { (JobID(unchecked: "feed.\(feed).\(FeedSchedule.keyHash(item.key))"), $0, [item.key]) }
        }
    }

    /// libcurl's words for the failures feeds meet, in the reader's.
    public static func wording(_ reason: String) -> String {
        if reason.contains("curl 47") { return "too many redirects (more than 5)" }
        if reason.contains("curl 28") { return "no complete answer within the time limit (\(reason))" }
        if reason.hasPrefix("response larger than") { return reason + ": the feed is too large" }
        return reason
    }
}
