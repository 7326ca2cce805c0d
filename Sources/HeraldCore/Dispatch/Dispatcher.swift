import Foundation
import HeraldModel
import Logging
import ServiceLifecycle
import Synchronization

/// Sends running campaigns: the I/O shell around `DispatchStateMachine`, which makes every decision.
///
/// The loop runs the machine's actions (load due deliveries from the ledger, mark them `sending`, send, record
/// results), then sleeps until the machine's next deadline or until woken: by a finished send, an accepted job,
/// a reload or shutdown. There is no polling tick. Sends run as child tasks of one task group; their answers
/// come back through `Wakeup`. On graceful shutdown it stops picking, returns deliveries that were marked but not
/// yet sent to pending, lets the calls in flight finish, records them and returns.
public final class Dispatcher<C: Clock>: Service, Sendable where C.Duration == Duration {
    let store: HeraldStore
    let settings: ConfigurationHolder
    let transport: any HTTPTransport
    let status: DaemonStatus
    let logger: Logger
    let clock: C
    let now: @Sendable () -> Date
    let random: @Sendable () -> Double
    let wakeup: Wakeup
    /// Signs tracked links; nil: links go out as written.
    let clickToken: ClickToken?
    let metrics: HeraldMetrics
    /// What finished off the loop (sends, ledger work), for the loop to hand to the machine in order.
    let events = Mutex<[LoopEvent]>([])

    /// Work that ran as a child task and came back.
    enum LoopEvent: Sendable {
        /// A send's answer, at monotonic seconds, and when its request was written (if known).
        case answer(Int64, SendOutcome, Double, written: Double?)
        case loaded(Int64, DueBatch)
        case loadFailed(Int64, String)
        case marked(Int, Set<Int64>)
        case markFailed(Int, String)
        case recorded([DeliveryResult])
        case recordFailed(String)
        /// An account's outage retries were made due (or could not be: they then wait out their backoff).
        case retriesDue(String)
        case housekept(Housekeeping)
        case housekeepingFailed(String)
        /// Subscribers changed by inbound events: (id, status, last inbound ms).
        case subscribers([(Int64, String, Int64?)])
    }

    /// Inbound events changed these subscribers: rows already loaded see their new status and window.
    public func subscribersChanged(_ changes: [(subscriberID: Int64, status: String, lastInboundAt: Int64?)]) {
        guard !changes.isEmpty else { return }
        post(.subscribers(changes.map { ($0.subscriberID, $0.status, $0.lastInboundAt) }))
    }

    func post(_ event: LoopEvent) {
        events.withLock { $0.append(event) }
        wakeup.signal(.outcome)
    }

    func post(_ batch: [LoopEvent]) {
        events.withLock { $0.append(contentsOf: batch) }
        wakeup.signal(.outcome)
    }

    public init(
        store: HeraldStore, settings: ConfigurationHolder, transport: any HTTPTransport, status: DaemonStatus, logger: Logger,
        clock: C, now: @escaping @Sendable () -> Date = Date.init, wakeup: Wakeup = Wakeup(),
        random: @escaping @Sendable () -> Double = JitterSource().next, clickToken: ClickToken? = nil, metrics: HeraldMetrics = HeraldMetrics()
    ) {
        self.clickToken = clickToken
        self.metrics = metrics
        self.store = store
        self.settings = settings
        self.transport = transport
        self.status = status
        self.logger = logger
        self.clock = clock
        self.now = now
        self.wakeup = wakeup
        self.random = random
    }

    static func machineSettings(_ configuration: Configuration) -> DispatchStateMachine.Settings {
        var settings = DispatchStateMachine.Settings(
            maxInFlight: configuration.dispatch.maxInFlight,
            accounts: configuration.accounts.mapValues { RateLimiter.AccountLimits(platform: $0.platform, rate: $0.rate) },
            retry: RetryPolicy(maxAge: Double(configuration.dispatch.retryMaxAgeHours) * 3600),
            uncertainRetrySeconds: Double(configuration.dispatch.uncertainRetrySeconds)
        )
        // Half as many again marked ahead of the calls out: herald-only 35.9k / 37.1k / 36.9k msg/s against 31.1k /
        // 31.9k / 31.1k without, at no more CPU per message (alternated, 3 runs each). As many again was 5 % faster,
        // but each one marked ahead is an uncertain delivery after a crash.
        settings.markAhead = configuration.dispatch.maxInFlight / 2
        settings.outageProbeCap = Double(configuration.dispatch.outageProbeMaxSeconds)
        settings.outageProbeBase = min(settings.outageProbeBase, settings.outageProbeCap)
        return settings
    }

    /// The loop's own state, besides the machine.
    struct Loop {
        var machine: DispatchStateMachine
        var configuration: Configuration
        /// The holder's generation `configuration` was read at (a reload moves it).
        var configurationGeneration = -1
        var channels: [String: any MessagingChannel] = [:]
        /// Running campaigns decoded once: what the machine sends, and what the ledger needs to expand the audience.
        var campaigns: [Int64: (spec: DispatchCampaign, audience: AudienceRule, expanded: Bool)] = [:]
        /// Running campaigns that cannot be sent (reported once).
        var unsendable: Set<Int64> = []
        var nextHousekeeping = 0.0
        /// A housekeeping pass is out; another was asked for meanwhile (a job accepted, a reload).
        var housekeepingOut = false
        var housekeepingWanted = false
        var housekeepingFailures = FailureStreak(base: 1, cap: 30)
        /// Calls out, by delivery: the transport's id of each, for abandoning them at the drain budget.
        var calls: [Int64: Int] = [:]
        var rateWindow: (start: Double, sent: Int) = (0, 0)
        /// The events queue's other buffer, empty, swapped in at each pass.
        var spareEvents: [LoopEvent] = []
    }

    public func run() async throws {
        let origin = clock.now
        let seconds: @Sendable () -> Double = { [clock] in
            let elapsed = origin.duration(to: clock.now)
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
        let configuration = settings.configuration
        let recovered = try await store.markInFlightUncertain(now: now(), wait: Int64(configuration.dispatch.uncertainRetrySeconds))
        if recovered > 0 {
            logger.warning(
                "\(recovered) deliveries were in flight at the last stop; they are marked uncertain and are sent again, flagged as possible duplicates, in \(configuration.dispatch.uncertainRetrySeconds) s",
                metadata: ["event": "recovered_in_flight"]
            )
        }
        warnAboutAccountsThatCannotSend(configuration)
        var loop = Loop(machine: DispatchStateMachine(settings: Dispatcher.machineSettings(configuration)), configuration: configuration)
        do {
            loop.machine.mediaKnown(try await store.mediaIDs())
        } catch {
            logger.warning("cannot read the stored media ids; files go by URL until they are learned again: \(error)", metadata: ["event": "dispatch_error"])
        }
        await withDiscardingTaskGroup { group in
            await withGracefulShutdownHandler {
                var reasons: Wakeup.Reasons = [.jobs]
                while !Task.isShuttingDownGracefully && !Task.isCancelled {
                    let time = seconds()
                    reasons.formUnion(applyReload(&loop))
                    // Accepted jobs (new campaigns, controls) and reloads are looked at at once, not at the next second.
                    let housekeeping = !reasons.isDisjoint(with: [.jobs, .configuration]) || time >= loop.nextHousekeeping
                    step(&loop, &group, time: time, seconds: seconds, housekeeping: housekeeping)
                    status.beat(.dispatcher)
                    // At least one pass a second, so that the watchdog sees this loop alive even when idle.
                    let deadline = [loop.machine.nextDeadline, loop.nextHousekeeping, time + 1].compactMap { $0 }.min()!
                    reasons = await wakeup.wait(until: origin.advanced(by: .seconds(max(deadline, time))), clock: clock)
                    // Answers alone, with many calls out: a moment for more to join them (a signal meanwhile waits
                    // as long, at most a couple of milliseconds).
                    if reasons == .outcome, let until = loop.machine.answersMayWait(at: seconds()) {
                        try? await clock.sleep(until: origin.advanced(by: .seconds(until)), tolerance: nil)
                        reasons.formUnion(wakeup.pending())
                    }
                }
            } onGracefulShutdown: { [wakeup] in
                wakeup.signal(.shutdown)
            }
            // Stop picking; what was marked but not sent goes back to pending; the calls out finish and are recorded.
            if loop.machine.inFlight > 0 {
                logger.notice("draining: \(loop.machine.inFlight) deliveries in flight", metadata: ["event": "drain_started"])
            }
            perform(loop.machine.drain(at: instant(seconds())), &loop, &group, seconds: seconds)
            var cancelledAt: Double?
            while loop.machine.hasWork {
                step(&loop, &group, time: seconds(), seconds: seconds, housekeeping: false)
                guard loop.machine.hasWork else { break }
                if Task.isCancelled {
                    // The drain budget ran out: the transport abandons the calls (they answer "uncertain" at once);
                    // their results are written before the loop gives up.
                    let now = seconds()
                    if cancelledAt == nil {
                        cancelledAt = now
                        for call in loop.calls.values { transport.cancel(call) }
                    }
                    guard now - cancelledAt! < 2 else {
                        logger.error("stopped with \(loop.machine.inFlight) deliveries unrecorded; the next start marks them uncertain", metadata: ["event": "dispatch_error"])
                        break
                    }
                    usleep(1000)
                } else {
                    _ = await wakeup.wait(until: clock.now.advanced(by: .milliseconds(100)), clock: clock)
                }
            }
        }
        status.recordDispatch(inFlight: 0, sendsPerSecond: 0)
    }

    /// A reloaded configuration reaches the machine here: new limits, and paused accounts get another chance.
    private func applyReload(_ loop: inout Loop) -> Wakeup.Reasons {
        // The generation first: copying and comparing the whole configuration at every pass was work for nothing.
        let generation = settings.generation
        guard generation != loop.configurationGeneration else { return [] }
        loop.configurationGeneration = generation
        let current = settings.configuration
        guard current != loop.configuration else { return [] }
        loop.configuration = current
        warnAboutAccountsThatCannotSend(current)
        loop.machine.reconfigure(Dispatcher.machineSettings(current))
        loop.channels = [:]
        // Running campaigns are decoded again against the new configuration (an account may be gone).
        loop.campaigns = [:]
        loop.unsendable = []
        return [.configuration]
    }

    /// One pass: finished work in, housekeeping if due, then whatever the machine wants done now.
    private func step(_ loop: inout Loop, _ group: inout DiscardingTaskGroup, time: Double, seconds: @escaping @Sendable () -> Double, housekeeping: Bool) {
        // The queue is swapped with an empty one that kept its capacity: copying it out and emptying it in place made
        // the curl thread's next append allocate a new buffer at every pass.
        var finished: [LoopEvent] = []
        swap(&finished, &loop.spareEvents)
        events.withLock { swap(&$0, &finished) }
        // One reading of both clocks for the pass's events (answers carry their own time).
        let now = instant(seconds())
        for event in finished {
            switch event {
            case .answer(let id, let outcome, let at, let written):
                loop.calls[id] = nil
                perform(loop.machine.outcome(deliveryID: id, outcome, at: instant(at), writtenAt: written, random: random()), &loop, &group, seconds: seconds)
            case .loaded(let id, let batch):
                if batch.expanded { loop.campaigns[id]?.expanded = true }
                if batch.emptyAudience, let entry = loop.campaigns[id] { warnEmptyAudience(entry.spec, entry.audience, tags: batch.accountTags) }
                loop.machine.deliveriesLoaded(campaignID: id, batch.rows, exhausted: batch.exhausted, nextDueAt: batch.nextDueAt, at: now)
            case .loadFailed(let id, let reason):
                logger.error("cannot load deliveries of campaign \(id): \(reason)", metadata: ["event": "dispatch_error", "campaign.id": "\(id)"])
                loop.machine.loadFailed(campaignID: id, at: now)
            case .marked(let batch, let ids):
                perform(loop.machine.marked(batch: batch, ids, at: now), &loop, &group, seconds: seconds)
            case .markFailed(let batch, let reason):
                perform(loop.machine.markFailed(batch: batch, reason, at: now), &loop, &group, seconds: seconds)
            case .recorded(let results):
                logFailures(results)
                metrics.recorded(results)
                perform(loop.machine.recorded(at: now), &loop, &group, seconds: seconds)
            case .recordFailed(let reason):
                perform(loop.machine.recordFailed(reason, at: now), &loop, &group, seconds: seconds)
            case .retriesDue(let account):
                loop.machine.retriesDue(account: account, at: now)
            case .housekept(let pass):
                housekept(pass, &loop, &group, time: seconds())
            case .subscribers(let changes):
                for (id, status, lastInbound) in changes { loop.machine.subscriberChanged(id, status: status, lastInboundAt: lastInbound) }
            case .housekeepingFailed(let reason):
                loop.housekeepingOut = false
                let (retryIn, isNew) = loop.housekeepingFailures.failed()
                if isNew {
                    logger.error("dispatch housekeeping failed; retrying, up to every \(Int(loop.housekeepingFailures.cap)) s: \(reason)", metadata: ["event": "dispatch_error"])
                }
                loop.nextHousekeeping = seconds() + retryIn
            }
        }
        finished.removeAll(keepingCapacity: true)
        loop.spareEvents = finished
        if housekeeping { startHousekeeping(&loop, &group, time: time) }
        perform(loop.machine.pump(at: instant(seconds())), &loop, &group, seconds: seconds)
        if time - loop.rateWindow.start >= 1 {
            let sent = loop.machine.sentCalls
            status.recordDispatch(
                inFlight: loop.machine.inFlight, sendsPerSecond: Double(sent - loop.rateWindow.sent) / (time - loop.rateWindow.start),
                pausedAccounts: Array(loop.machine.pausedAccounts.keys) + loop.machine.accountOutages.keys.map { "\($0) (unreachable)" }
            )
            loop.rateWindow = (time, sent)
        }
    }

    func instant(_ seconds: Double) -> DispatchStateMachine.Instant {
        DispatchStateMachine.Instant(seconds: seconds, wallMs: now().millisecondsSince1970)
    }

    /// Runs actions: sends and ledger work go to child tasks, whose results come back as events, so the loop
    /// keeps sending at each slot while the database works. Once the task is cancelled (the drain budget ran
    /// out), ledger writes run inline instead: they must land before the process exits.
    private func perform(_ actions: [DispatchStateMachine.Action], _ loop: inout Loop, _ group: inout DiscardingTaskGroup, seconds: @escaping @Sendable () -> Double) {
        let inline = Task.isCancelled
        var actions = actions
        if !inline { pairRecordWithMark(&actions, &group) }
        for action in actions {
            switch action {
            case .load(let id, let after, let limit):
                guard let entry = loop.campaigns[id] else {
                    loop.machine.loadFailed(campaignID: id, at: instant(seconds()))
                    continue
                }
                let running = RunningCampaign(id: id, jobID: entry.spec.jobID, account: entry.spec.account, priority: entry.spec.priority, audienceExpanded: entry.expanded)
                group.addTask { [self, audience = entry.audience, expanded = entry.expanded] in
                    do {
                        post(.loaded(id, try await store.loadDue(running, audience: audience, expanded: expanded, after: after, limit: limit, now: now())))
                    } catch {
                        post(.loadFailed(id, "\(error)"))
                    }
                }
            case .markSending(let batch, let ids):
                if inline {
                    do { post(.marked(batch, try store.markSending(ids, now: now()))) } catch { post(.markFailed(batch, "\(error)")) }
                    continue
                }
                group.addTask { [self] in
                    do { post(.marked(batch, try await store.markSending(ids, now: now()))) } catch { post(.markFailed(batch, "\(error)")) }
                }
            case .send(let send):
                start(send, &loop, &group, seconds: seconds)
            case .record(let results):
                if inline {
                    do {
                        try store.record(results, now: now())
                        post(.recorded(results))
                    } catch {
                        post(.recordFailed("\(error)"))
                    }
                    continue
                }
                group.addTask { [self] in
                    do {
                        try await store.record(results, now: now())
                        post(.recorded(results))
                    } catch {
                        post(.recordFailed("\(error)"))
                    }
                }
            case .accountPaused(let account, let reason):
                logger.critical("account \(account) cannot send and is paused until the configuration is reloaded: \(reason)", metadata: ["event": "account_broken", "account": "\(account)"])
            case .rateLimited(let account, let pause, let reason):
                logger.warning("\(account): rate limited for \(pause) s: \(reason)", metadata: ["event": "rate_limited", "account": "\(account)"])
                metrics.rateLimited(account: account, seconds: pause)
            case .accountOutage(let account, let reason, let probeIn):
                logger.warning(
                    "\(account) is unreachable (\(reason)): its deliveries wait, and one probe goes out in \(String(format: "%.1f", probeIn)) s, then spaced up to every \(Int(loop.machine.settings.outageProbeCap)) s until it answers",
                    metadata: ["event": "account_outage", "account": "\(account)", "reason": "\(reason)"]
                )
            case .accountRecovered(let account, let after, let probes):
                logger.notice(
                    "\(account) answers again after \(String(format: "%.1f", after)) s (\(probes) failed probes): its deliveries resume",
                    metadata: ["event": "account_recovered", "account": "\(account)"]
                )
            case .retryNow(let account, let failedSince):
                group.addTask { [self] in
                    _ = try? await store.retryNow(account: account, failedSince: Date(millisecondsSince1970: failedSince), now: now())
                    post(.retriesDue(account))
                }
            case .rememberMedia(let account, let url, let mediaID):
                // Losing one only costs an upload by URL later.
                group.addTask { [self] in try? await store.rememberMedia(account: account, url: url, mediaID: mediaID, now: now()) }
            case .forgetMedia(let account, let url):
                logger.notice("\(account) refused the stored media id of \(url); it goes by URL again", metadata: ["event": "media_forgotten", "account": "\(account)"])
                group.addTask { [self] in try? await store.forgetMedia(account: account, url: url) }
            case .storeFailing(let reason):
                logger.error("the database refuses writes; dispatch holds its results and retries: \(reason)", metadata: ["event": "dispatch_error"])
            case .storeRecovered:
                logger.notice("the database accepts writes again; dispatch resumes", metadata: ["event": "dispatch_resumed"])
            }
        }
    }

    /// A pass's results and its new picks go to the ledger in one transaction instead of two (each commit is a
    /// WAL write and an fsync); the machine hears of them as two events, as if written apart.
    private func pairRecordWithMark(_ actions: inout [DispatchStateMachine.Action], _ group: inout DiscardingTaskGroup) {
        guard let recordIndex = actions.firstIndex(where: { if case .record = $0 { true } else { false } }),
              let markIndex = actions.firstIndex(where: { if case .markSending = $0 { true } else { false } }),
              case .record(let results) = actions[recordIndex], case .markSending(let batch, let ids) = actions[markIndex]
        else { return }
        actions.remove(at: max(recordIndex, markIndex))
        actions.remove(at: min(recordIndex, markIndex))
        group.addTask { [self] in
            do {
                let marked = try await store.record(results, thenMarkSending: ids, now: now())
                post([.recorded(results), .marked(batch, marked)])
            } catch {
                post([.recordFailed("\(error)"), .markFailed(batch, "\(error)")])
            }
        }
    }

    private func start(_ send: DispatchStateMachine.Send, _ loop: inout Loop, _ group: inout DiscardingTaskGroup, seconds: @escaping @Sendable () -> Double) {
        let channel: any MessagingChannel
        if let cached = loop.channels[send.account] {
            channel = cached
        } else if let account = loop.configuration.accounts[send.account] {
            channel = ChannelFactory.channel(for: account, transport: transport)
            loop.channels[send.account] = channel
        } else {
            post(.answer(send.deliveryID, .accountBroken(reason: "account \(send.account) is no longer configured"), seconds(), written: nil))
            return
        }
        // No task per call: the answer comes back through the transport's callback, straight into the loop's events.
        let id = send.deliveryID, account = send.account, started = seconds()
        if let call = channel.send(send.message, completion: { [self] outcome, writtenBefore in
            let answered = seconds()
            metrics.sendTook(account: account, seconds: answered - started)
            post(.answer(id, outcome, answered, written: writtenBefore.map { answered - $0 }))
        }) {
            loop.calls[id] = call
            // Past the drain budget (a next part of a message, say), a call is abandoned as soon as it is made.
            if Task.isCancelled { transport.cancel(call) }
        }
    }

    /// Asks the ledger, off the loop, to start due campaigns, apply expiry and complete finished campaigns;
    /// the pass comes back as an event. One pass is out at a time; a request meanwhile runs another after it.
    private func startHousekeeping(_ loop: inout Loop, _ group: inout DiscardingTaskGroup, time: Double) {
        guard !loop.housekeepingOut else {
            loop.housekeepingWanted = true
            return
        }
        loop.housekeepingOut = true
        loop.housekeepingWanted = false
        // Provisional: the pass sets the real time; until then the timer must not ask again at every pass.
        loop.nextHousekeeping = time + 1
        group.addTask { [self] in
            do { post(.housekept(try await store.housekeep(now: now()))) } catch { post(.housekeepingFailed("\(error)")) }
        }
    }

    /// A housekeeping pass came back: its news in the journal, the running set to the machine.
    private func housekept(_ pass: Housekeeping, _ loop: inout Loop, _ group: inout DiscardingTaskGroup, time: Double) {
        loop.housekeepingOut = false
        if let failures = loop.housekeepingFailures.succeeded() {
            logger.notice("dispatch housekeeping works again after \(failures) failed passes", metadata: ["event": "dispatch_resumed"])
        }
        for job in pass.expired {
            logger.notice("campaign of job \(job) reached its expires_at: nothing more of it is sent", metadata: ["event": "campaign_expired", "job.id": "\(job)"])
        }
        for id in pass.started {
            logger.info("campaign \(id) started", metadata: ["event": "campaign_started", "campaign.id": "\(id)"])
        }
        let ids = Set(pass.running.map(\.id))
        loop.campaigns = loop.campaigns.filter { ids.contains($0.key) }
        loop.unsendable.formIntersection(ids)
        let decoder = loop.configuration.jobDecoder(now: now())
        for campaign in pass.running where loop.campaigns[campaign.id] == nil && !loop.unsendable.contains(campaign.id) {
            do {
                loop.campaigns[campaign.id] = try decode(campaign, decoder: decoder, configuration: loop.configuration)
            } catch {
                // Failed once, with the reason, instead of being reported on every pass.
                loop.unsendable.insert(campaign.id)
                logger.error("campaign \(campaign.id) (job \(campaign.jobID)) cannot be sent and is failed: \(error)", metadata: ["event": "campaign_failed", "job.id": "\(campaign.jobID)"])
                group.addTask { [self, id = campaign.id, reason = "cannot be sent: \(error)"] in
                    do {
                        try await store.failCampaign(id, reason: reason, now: now())
                    } catch {
                        logger.error("cannot record campaign \(id) as failed; it is tried again after a restart: \(error)", metadata: ["event": "dispatch_error"])
                    }
                    wakeup.signal(.jobs)
                }
            }
        }
        for campaign in pass.running { loop.campaigns[campaign.id]?.spec.requeuedAt = campaign.requeuedAt }
        loop.machine.campaignsRunning(pass.running.compactMap { loop.campaigns[$0.id]?.spec })
        status.recordHousekeeping(campaignsSending: loop.machine.campaignIDs.count)
        for completion in pass.completed {
            logger.notice("campaign of job \(completion.jobID) completed: \(completion.summary)", metadata: ["event": "campaign_completed", "job.id": "\(completion.jobID)"])
        }
        let idle = loop.campaigns.isEmpty && !loop.machine.hasWork
        var next = time + (idle ? 60 : 1)
        if idle, let start = pass.nextScheduledStart {
            next = min(next, time + max(0, Double(start - now().millisecondsSince1970) / 1000))
        }
        loop.nextHousekeeping = loop.housekeepingWanted ? time : next
        loop.machine.prune(at: time)
    }

    /// A running campaign's stored spec, read once; paid broadcast only where the account enabled it (it is billed).
    /// Campaigns stored before specs were have their job text decoded instead, once.
    private func decode(_ campaign: RunningCampaign, decoder: JobDecoder, configuration: Configuration) throws -> (spec: DispatchCampaign, audience: AudienceRule, expanded: Bool) {
        guard let account = configuration.accounts[campaign.account] else {
            throw DispatchError(reason: "its account \(campaign.account) is no longer configured")
        }
        let stored: CampaignSpec
        if let text = campaign.spec {
            stored = try CampaignSpec.decode(text)
        } else {
            guard let body = campaign.jobBody else { throw DispatchError(reason: "its job text is missing") }
            guard let draft = CampaignDraft(try decoder.decode(Array(body.utf8))) else {
                throw DispatchError(reason: "job \(campaign.jobID) is not a campaign or a message")
            }
            stored = draft.spec
        }
        guard stored.platform == account.platform else {
            throw DispatchError(reason: "its account \(campaign.account) is now on \(account.platform.rawValue), the campaign was written for \(stored.platform.rawValue)")
        }
        var options = stored.options
        options.paidBroadcast = stored.options.paidBroadcast && account.paidBroadcast
        var spec = DispatchCampaign(
            id: campaign.id, jobID: campaign.jobID, account: campaign.account, priority: campaign.priority, platform: stored.platform, content: stored.content,
            options: options, expiresAt: campaign.expiresAt
        )
        spec.reachesUnsubscribed = campaign.kind == .farewell
        // Links stored at creation (tracking on) go out tracked; a campaign from before tracking existed has none.
        if stored.options.tracking, let base = configuration.http.publicURL, let token = clickToken {
            spec.tracker = LinkTracker { target in base + "/c/" + token.token(for: target) }
        }
        return (spec, stored.audience, campaign.audienceExpanded)
    }

    private func warnEmptyAudience(_ campaign: DispatchCampaign, _ audience: AudienceRule, tags: [String]) {
        var asked = ""
        if case .tags(let include, let exclude) = audience {
            asked = " (tags: include \(include.isEmpty ? "none" : include.joined(separator: ", "))"
                + (exclude.isEmpty ? "" : ", exclude \(exclude.joined(separator: ", "))") + ")"
        }
        let existing = tags.isEmpty ? "no subscriber of \(campaign.account) has a tag" : "tags of \(campaign.account)'s subscribers: \(tags.joined(separator: ", "))"
        logger.warning(
            "campaign of job \(campaign.jobID) has an empty audience\(asked); \(existing)",
            metadata: ["event": "empty_audience", "job.id": "\(campaign.jobID)", "account": "\(campaign.account)"]
        )
    }

    /// One warning per account without a token: its jobs are accepted, but nothing of them can be sent.
    private func warnAboutAccountsThatCannotSend(_ configuration: Configuration) {
        if configuration.accounts.isEmpty {
            logger.warning(
                "no account is configured: jobs that name an account are rejected until one is added ([accounts.NAME] in \(configuration.sourcePath ?? "the configuration"), then systemctl reload herald)",
                metadata: ["event": "no_accounts"]
            )
        }
        for account in configuration.accounts.values.sorted(by: { $0.name < $1.name }) where account.token == nil {
            logger.warning(
                "account \(account.name) has no token: its jobs are accepted, but nothing is sent until token_file (or the credential \(account.name).token) is configured",
                metadata: ["event": "account_cannot_send", "account": "\(account.name)"]
            )
        }
    }

    private func logFailures(_ results: [DeliveryResult]) {
        for result in results where result.state == .failed {
            logger.warning(
                "delivery \(result.deliveryID) of campaign \(result.campaignID) failed: \(result.reason ?? "unknown")",
                metadata: ["event": "delivery_failed", "campaign.id": "\(result.campaignID)", "account": "\(result.account)", "reason": "\(result.reason ?? "")"]
            )
        }
    }
}

/// Why a running campaign cannot be sent.
struct DispatchError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
