/// Every dispatch decision, as a value: events go in (campaigns running, deliveries loaded, rows marked, an
/// answer, time passing), actions come out (load, mark sending, send, record, log). No I/O, no clock, no
/// randomness of its own: the `Dispatcher` runs the actions and feeds the results back.
///
/// A delivery's life here: picked from its campaign's window (transactional first, campaigns of a priority
/// round-robin), checked against the skip rules, rendered, given a rate-limit slot up to `lookahead` ahead,
/// marked `sending` in the ledger, sent when its slot comes, and turned into a `DeliveryResult` by its answer.
/// Reserving the slot before the mark and sending at the slot keeps the platform's view of the spacing
/// independent of how long the database takes.
public struct DispatchStateMachine: Sendable {
    /// What the machine needs from the configuration.
    public struct Settings: Sendable, Equatable {
        /// Calls out at once.
        public var maxInFlight: Int
        /// Deliveries marked `sending` beyond `maxInFlight`, each waiting for a call to finish: a freed call is
        /// replaced at once, not after the next mark commits (with none ahead, a third of the calls allowed were
        /// being marked at any time). After a crash they are uncertain like the calls out.
        public var markAhead = 0
        public var accounts: [String: RateLimiter.AccountLimits]
        public var retry: RetryPolicy
        /// How long a delivery that may have gone out waits before it is sent again.
        public var uncertainRetrySeconds: Double
        /// How long deliveries of an account that cannot send wait before they are looked at again.
        public var brokenAccountRetrySeconds: Double = 60
        /// How far ahead of its rate-limit slot a delivery is picked and marked `sending`.
        public var lookahead: Double = 0.05
        /// A campaign's window is refilled below `windowLow` rows, `windowSize` at a time.
        public var windowLow = 256
        public var windowSize = 1024
        /// Consecutive answers of an account saying its platform is unreachable or failing that start an outage.
        public var outageThreshold = 5
        /// During an outage, probes are spaced from `outageProbeBase` seconds, doubling up to `outageProbeCap`.
        public var outageProbeBase: Double = 2
        public var outageProbeCap: Double = 30
        /// With at least `answerBatchingInFlight` calls out, answers that alone woke the loop wait up to
        /// `answerBatching` seconds for more (never past a deadline), so that a pass and its ledger write take many.
        public var answerBatching: Double = 0.002
        public var answerBatchingInFlight = 64

        public init(maxInFlight: Int = 512, accounts: [String: RateLimiter.AccountLimits], retry: RetryPolicy = RetryPolicy(), uncertainRetrySeconds: Double = 60) {
            self.maxInFlight = maxInFlight
            self.accounts = accounts
            self.retry = retry
            self.uncertainRetrySeconds = uncertainRetrySeconds
        }
    }

    /// A moment on both clocks: monotonic seconds for limits and deadlines, wall-clock milliseconds for the ledger.
    public struct Instant: Sendable, Equatable {
        public var seconds: Double
        public var wallMs: Int64

        public init(seconds: Double, wallMs: Int64) {
            self.seconds = seconds
            self.wallMs = wallMs
        }
    }

    /// One API call to make now.
    public struct Send: Sendable, Equatable {
        public var deliveryID: Int64
        public var account: String
        public var message: OutgoingMessage
    }

    /// What the shell must do.
    public enum Action: Sendable, Equatable {
        /// Load up to `limit` due deliveries of a campaign with ids above `after` (expanding its audience if the
        /// ledger has none yet), then call `deliveriesLoaded`.
        case load(campaignID: Int64, after: Int64, limit: Int)
        /// Mark these deliveries `sending` in one transaction, then call `marked` (or `markFailed`) with the batch.
        case markSending(batch: Int, ids: [Int64])
        case send(Send)
        /// Write these results in one transaction, then call `recorded` (or `recordFailed`).
        case record([DeliveryResult])
        /// An account cannot send; its deliveries wait until the configuration is reloaded.
        case accountPaused(account: String, reason: String)
        /// A 429 paused one scope of an account.
        case rateLimited(account: String, seconds: Double, reason: String)
        /// An account's platform stopped answering: its deliveries wait, and one probe goes out in `probeIn` seconds.
        case accountOutage(account: String, reason: String, probeIn: Double)
        /// The platform answered an account's probe (or a call) again, after `seconds` and `probes` failed probes.
        case accountRecovered(account: String, seconds: Double, probes: Int)
        /// Make the account's pending deliveries that failed since `failedSince` (wall-clock ms) due now, then
        /// call `retriesDue`.
        case retryNow(account: String, failedSince: Int64)
        /// The platform gave an id for a file first sent by URL: store it, so later sends (after a restart too) reuse it.
        case rememberMedia(account: String, url: String, mediaID: String)
        /// A stored media id was refused: forget it; the file goes by URL again.
        case forgetMedia(account: String, url: String)
        /// The ledger refused a write; the machine holds its results and retries (one action per change).
        case storeFailing(reason: String)
        case storeRecovered
    }

    enum Phase: Sendable, Equatable {
        /// Slot reserved, waiting for its batch's `sending` mark to commit.
        case marking(slot: Double, batch: Int)
        /// Marked; sends when its slot comes.
        case waiting(slot: Double)
        /// A next part whose chat is not free yet: it takes a slot only when it could go within the lookahead,
        /// so that a slot a second away does not hold the account's schedule (and every other chat) back.
        case held(until: Double)

        /// Marked but not sent: it can go back to pending without an attempt on the wire.
        var isUnsent: Bool {
            switch self {
            case .waiting, .held: true
            case .marking: false
            }
        }
    }

    struct Flight: Sendable {
        var delivery: PendingDelivery
        var jobID: String
        var account: String
        var chat: String
        var messages: [OutgoingMessage]
        var part: Int
        var migratedTo: String?
        var lastMessageID: String?
        /// The outstanding call sent its file by a remembered media id instead of its URL.
        var reusedMedia = false
        /// A refused media id was already replaced by the URL once for this delivery.
        var mediaFallback = false
        /// Wall-clock ms when its first call went out: the ledger's `sent_at`, which Meta's read and delivery
        /// watermarks are compared with (the result may be recorded seconds later under load).
        var startedAt: Int64?
    }

    /// Where a flight is, kept beside the flights: the scans of every pass (sends due, the next deadline, a
    /// batch's mark) read these few scalars instead of copying each flight with its messages and profile.
    struct Stage: Sendable, Equatable {
        var phase: Phase
        /// Pick order: sends due at the same moment go in the order they were picked.
        var order: UInt64
    }

    /// A flight ends here (its result is queued, or it goes back unsent).
    mutating func land(_ id: Int64) {
        flights[id] = nil
        stages[id] = nil
        outstanding.remove(id)
    }

    /// Slack for comparing times computed along different paths (a deadline and the slot it came from).
    static let epsilon = 1e-9
    var orderCounter: UInt64 = 0

    mutating func nextOrder() -> UInt64 {
        orderCounter += 1
        return orderCounter
    }

    struct CampaignState: Sendable {
        var campaign: DispatchCampaign
        var window: [PendingDelivery] = []
        var readIndex = 0
        var loadedThrough: Int64 = 0
        var loading = false
        /// Nothing more is due; look again at `reloadAt` (monotonic seconds), if set.
        var exhausted = false
        var reloadAt: Double?
        /// Rows behind the cursor came due (a retry) while a load was out: read from the start once it is back.
        var rescan = false

        /// Reads the ledger again from its first due row once the window is picked empty.
        mutating func lookAgainFromStart() {
            if loading {
                rescan = true
            } else {
                exhausted = true
                reloadAt = -.infinity
            }
        }

        var pendingCount: Int { window.count - readIndex }

        mutating func next() -> PendingDelivery? {
            guard readIndex < window.count else { return nil }
            defer { readIndex += 1 }
            return window[readIndex]
        }

        mutating func compact() {
            guard readIndex > 0 else { return }
            window.removeFirst(readIndex)
            readIndex = 0
        }
    }

    public internal(set) var settings: Settings
    var limiter: RateLimiter
    var campaigns: [Int64: CampaignState] = [:]
    /// Campaign ids by priority level, most urgent level first, ids ascending: the order picks go in, kept as
    /// campaigns come and go instead of regrouped at every pick.
    var levels: [[Int64]] = []
    var flights: [Int64: Flight] = [:]
    /// Flights not yet sent (marking, waiting for their slot, held), which every pass scans.
    var stages: [Int64: Stage] = [:]
    /// Flights whose call is out: kept apart from `stages`, so that the scans skip the many awaiting answers.
    var outstanding: Set<Int64> = []
    var unrecorded: [DeliveryResult] = []
    var recording: [DeliveryResult] = []
    /// Subscribers the platform reported gone, until their status is in the ledger (loads before then read the old one).
    var gone: [Int64: String] = [:]
    var broken: [String: String] = [:]
    /// Accounts whose platform is unreachable, and per account the unbroken run of such answers so far.
    var outages: [String: AccountOutage] = [:]
    var outageStreak: [String: (count: Int, since: Int64)] = [:]
    /// Per account: media URL → the platform's id for it, learned from the first send (Telegram `file_id`s
    /// belong to the bot, Messenger `attachment_id`s to the Page) and kept in the store across restarts.
    var media: [String: [String: String]] = [:]
    /// Earliest time a blocked pick could succeed (a busy chat or an exhausted account).
    var pickDeadline: Double?
    /// The ledger is failing: no picks and no record attempts before this time.
    var storeBlockedUntil: Double?
    var storeFailures = 0
    var draining = false
    /// `markSending` batches not answered yet; a few may be out at once, so a slow write does not stop picks.
    var marksOut: Set<Int> = []
    var lastBatch = 0
    static let maxMarksOut = 4
    /// Per account, the pace at which calls actually leave: a loop that wakes late sends its backlog at the
    /// account's rate instead of all at once.
    var shapers: [String: GCRA] = [:]
    /// Per account, what the platform may have counted in the last second: pacing spaces the calls as they leave,
    /// this bounds them as they arrive (a call held up on the way arrives together with the ones after it).
    var arrivals: [String: ArrivalWindow] = [:]
    let personalizer = Personalizer()

    /// Calls accepted by the platforms so far (for the sends-per-second figure).
    public internal(set) var sentCalls = 0

    public init(settings: Settings) {
        self.settings = settings
        limiter = RateLimiter(accounts: settings.accounts)
    }

    /// Deliveries picked and not yet finished.
    public var inFlight: Int { flights.count }
    /// Accounts that cannot send, with the reason.
    public var pausedAccounts: [String: String] { broken }
    /// Accounts whose platform is unreachable, sent to only by probes.
    public var accountOutages: [String: AccountOutage] { outages }
    /// Campaigns the machine is sending.
    public var campaignIDs: Set<Int64> { Set(campaigns.keys) }

    // MARK: - Events

    /// The running campaigns, as the ledger has them: new ones are added, missing ones (paused, cancelled,
    /// completed) dropped with their windows, and one whose failures a retry put back reads its ledger again from
    /// the start. Deliveries already marked `sending` finish either way.
    public mutating func campaignsRunning(_ running: [DispatchCampaign]) {
        let ids = Set(running.map(\.id))
        for id in campaigns.keys where !ids.contains(id) {
            campaigns[id] = nil
        }
        for campaign in running {
            guard var state = campaigns[campaign.id] else {
                campaigns[campaign.id] = CampaignState(campaign: campaign)
                limiter.setJobRate(campaign.jobID, rate: campaign.options.rate)
                continue
            }
            if state.campaign.requeuedAt != campaign.requeuedAt {
                state.campaign.requeuedAt = campaign.requeuedAt
                state.lookAgainFromStart()
                campaigns[campaign.id] = state
            }
        }
        levels = Dictionary(grouping: campaigns.values.map { ($0.campaign.priority, $0.campaign.id) }, by: \.0)
            .sorted { $0.key < $1.key }.map { $0.value.map(\.1).sorted() }
    }

    /// Media ids stored earlier, per account and URL (at start).
    public mutating func mediaKnown(_ known: [String: [String: String]]) {
        media.merge(known) { current, stored in current.merging(stored) { mine, _ in mine } }
    }

    /// Whether a campaign is being sent.
    public func isRunning(_ id: Int64) -> Bool { campaigns[id] != nil }

    /// Due deliveries the shell loaded for `load`; `exhausted` when no more are due now, and `nextDueAt`
    /// (wall-clock ms) when the next one will be.
    public mutating func deliveriesLoaded(campaignID: Int64, _ rows: [PendingDelivery], exhausted: Bool, nextDueAt: Int64?, at now: Instant) {
        guard var state = campaigns[campaignID] else { return }
        state.loading = false
        state.compact()
        // Rows read before a status the platform just reported was written carry the status from memory.
        state.window += rows.filter { flights[$0.id] == nil }.map { row in
            guard let status = gone[row.subscriberID] else { return row }
            var row = row
            row.status = status
            return row
        }
        if let last = rows.last { state.loadedThrough = max(state.loadedThrough, last.id) }
        state.exhausted = exhausted
        if state.rescan {
            state.rescan = false
            state.lookAgainFromStart()
        }
        if exhausted, let next = nextDueAt {
            // Keep an earlier reload a result not yet in the ledger asked for.
            let due = now.seconds + max(0, Double(next - now.wallMs) / 1000)
            state.reloadAt = min(state.reloadAt ?? due, due)
        }
        campaigns[campaignID] = state
    }

    /// The load failed: look again in a second.
    public mutating func loadFailed(campaignID: Int64, at now: Instant) {
        campaigns[campaignID]?.loading = false
        campaigns[campaignID]?.rescan = false
        campaigns[campaignID]?.exhausted = true
        campaigns[campaignID]?.reloadAt = now.seconds + 1
    }

    /// The `sending` mark committed for `marked`; the others were refused (their campaign was paused or
    /// cancelled, their subscriber left, or they were no longer due) and are looked at again later.
    public mutating func marked(batch: Int, _ marked: Set<Int64>, at now: Instant) -> [Action] {
        marksOut.remove(batch)
        noteStoreRecovered()
        var actions = storeRecoveredAction()
        for (id, stage) in stages {
            guard case .marking(let slot, batch) = stage.phase, let flight = flights[id] else { continue }
            if marked.contains(id) {
                if let paused = limiter.pausedUntil(.account(flight.account)), paused > slot, !draining, broken[flight.account] == nil {
                    // An account-wide 429 came while the mark was written: wait for the pause, unsent.
                    land(id)
                    let next = now.wallMs + Int64(max(0, paused - now.seconds) * 1000)
                    finish(result(flight, .pending, reason: "rate limited", partsSent: flight.part, next: next), at: now)
                } else if draining || broken[flight.account] != nil {
                    // Marked, but it will not be sent now: back to pending, unsent.
                    land(id)
                    probeDropped(id, account: flight.account)
                    finish(result(flight, .pending, reason: broken[flight.account], partsSent: flight.part, next: broken[flight.account].map { _ in now.wallMs + Int64(settings.brokenAccountRetrySeconds * 1000) }), at: now)
                } else if let outage = outages[flight.account], outage.probing != id {
                    // An outage began while the mark was written: only its probe goes.
                    land(id)
                    finish(result(flight, .pending, reason: "account outage: \(outage.reason)", partsSent: flight.part, next: now.wallMs), at: now)
                } else {
                    stages[id]?.phase = .waiting(slot: slot)
                }
            } else {
                land(id)
                probeDropped(id, account: flight.account)
                campaigns[flight.delivery.campaignID]?.reloadAt = now.seconds + 1
            }
        }
        actions += fire(at: now)
        return actions
    }

    /// The `sending` mark failed: the picked deliveries go back to their windows, and picking pauses.
    public mutating func markFailed(batch: Int, _ reason: String, at now: Instant) -> [Action] {
        marksOut.remove(batch)
        for (id, stage) in stages {
            guard case .marking(_, batch) = stage.phase, let flight = flights[id] else { continue }
            land(id)
            probeDropped(id, account: flight.account)
            campaigns[flight.delivery.campaignID]?.window.append(flight.delivery)
        }
        return noteStoreFailure(reason, at: now)
    }

    /// The results handed out by the last `record` are in the ledger.
    public mutating func recorded(at now: Instant) -> [Action] {
        for result in recording where result.subscriberStatus != nil { gone[result.subscriberID] = nil }
        recording = []
        noteStoreRecovered()
        return storeRecoveredAction()
    }

    /// The last `record` failed: its results are kept and written again later, before anything newer.
    public mutating func recordFailed(_ reason: String, at now: Instant) -> [Action] {
        unrecorded = recording + unrecorded
        recording = []
        return noteStoreFailure(reason, at: now)
    }

    /// A subscriber's status changed outside dispatch (an unsubscribe job, an inbound "stop"), or they wrote
    /// (`lastInboundAt`, which opens Messenger's 24-hour window for rows already loaded).
    public mutating func subscriberChanged(_ subscriberID: Int64, status: String, lastInboundAt: Int64? = nil) {
        patchStatus(subscriberID, status: status, lastInboundAt: lastInboundAt)
    }

    /// The configuration was reloaded: new limits, and paused accounts get another chance.
    public mutating func reconfigure(_ settings: Settings) {
        self.settings = settings
        limiter.update(accounts: settings.accounts)
        shapers = [:]
        broken = [:]
    }

    /// Drops idle per-chat limiter state, so memory follows the active chats.
    public mutating func prune(at seconds: Double) { limiter.prune(at: seconds) }

    /// Stops picking; deliveries marked but not yet sent go back to pending (they never left).
    public mutating func drain(at now: Instant) -> [Action] {
        draining = true
        // Deliveries whose mark is still being written are handled when it answers (`marked`).
        for (id, stage) in stages {
            guard stage.phase.isUnsent, let flight = flights[id] else { continue }
            land(id)
            probeDropped(id, account: flight.account)
            unrecorded.append(result(flight, .pending, partsSent: flight.part))
        }
        return takeRecord(at: now)
    }

    /// Whether anything is still out or unwritten.
    public var hasWork: Bool { !flights.isEmpty || !unrecorded.isEmpty || !recording.isEmpty }

    // MARK: - Time

    /// The earliest time (monotonic seconds) the machine has something to do without a new event.
    public var nextDeadline: Double? {
        var deadline = pickDeadline
        func consider(_ time: Double?) {
            guard let time else { return }
            deadline = deadline.map { min($0, time) } ?? time
        }
        // With every call out, a send waits for an answer, which wakes the loop anyway, whatever its slot.
        let callsFree = outstanding.count < settings.maxInFlight
        for stage in stages.values {
            if case .waiting(let slot) = stage.phase, callsFree { consider(slot) }
            if case .held(let until) = stage.phase { consider(until) }
        }
        // A window with rows left is reloaded once it is picked empty (never, while its account cannot send).
        for state in campaigns.values where state.exhausted && state.pendingCount == 0 { consider(state.reloadAt) }
        for (account, outage) in outages where outage.probing == nil && campaigns.values.contains(where: { $0.campaign.account == account }) {
            consider(outage.probeAt)
        }
        if let blocked = storeBlockedUntil, !unrecorded.isEmpty || !campaigns.isEmpty { consider(blocked) }
        return deadline
    }

    /// Until when answers that alone woke the loop may wait for more before a pass takes them (nil: take them now).
    /// Each pass costs the same whatever it carries, and so does its ledger transaction: with hundreds of calls out,
    /// a pass per answer or two was most of the loop's work. Never past the next deadline, so no send waits.
    public func answersMayWait(at now: Double) -> Double? {
        guard settings.answerBatching > 0, flights.count >= settings.answerBatchingInFlight else { return nil }
        let until = min(now + settings.answerBatching, nextDeadline ?? .infinity)
        return until > now ? until : nil
    }

    /// Does what is due at `now`: sends whose slot came, window refills, new picks, and the record batch.
    public mutating func pump(at now: Instant) -> [Action] {
        var actions = fire(at: now)
        if let blocked = storeBlockedUntil, blocked > now.seconds { return actions }
        if !draining {
            actions += loads(at: now)
            if marksOut.count < DispatchStateMachine.maxMarksOut {
                let picked = pick(at: now, batch: lastBatch + 1)
                if !picked.isEmpty {
                    lastBatch += 1
                    marksOut.insert(lastBatch)
                    actions.append(.markSending(batch: lastBatch, ids: picked))
                }
            }
        }
        actions += takeRecord(at: now)
        return actions
    }

    private mutating func takeRecord(at now: Instant) -> [Action] {
        guard recording.isEmpty, !unrecorded.isEmpty else { return [] }
        if let blocked = storeBlockedUntil, blocked > now.seconds { return [] }
        recording = unrecorded
        unrecorded = []
        return [.record(recording)]
    }

    /// Sends of marked deliveries whose slot has come, paced by their account's shaper.
    mutating func fire(at now: Instant) -> [Action] {
        // Held parts whose chat is about free take their slot now.
        for (id, stage) in stages {
            guard case .held(let until) = stage.phase, until <= now.seconds + DispatchStateMachine.epsilon, let flight = flights[id] else { continue }
            let message = flight.messages[flight.part]
            let slot = limiter.reserve(account: flight.account, chat: flight.chat, heavyMedia: message.isHeavyMedia, job: flight.jobID, at: now.seconds)
            stages[id]?.phase = .waiting(slot: slot)
        }
        var due: [(slot: Double, order: UInt64, id: Int64)] = []
        for (id, stage) in stages {
            guard case .waiting(let slot) = stage.phase, slot <= now.seconds + DispatchStateMachine.epsilon else { continue }
            due.append((slot, stage.order, id))
        }
        guard !due.isEmpty else { return [] }
        due.sort { ($0.slot, $0.order) < ($1.slot, $1.order) }
        var actions: [Action] = []
        for entry in due {
            // Marked ahead: it goes when a call finishes.
            guard outstanding.count < settings.maxInFlight else { break }
            guard let flight = flights[entry.id] else { continue }
            var shaper = shapers[flight.account] ?? makeShaper(flight.account, at: now.seconds)
            let allowed = shaper.earliest(at: now.seconds)
            guard allowed <= now.seconds + DispatchStateMachine.epsilon else {
                stages[entry.id]?.phase = .waiting(slot: allowed)
                continue
            }
            if let limit = settings.accounts[flight.account].map({ Int($0.rate) }), limit >= 1 {
                var window = arrivals[flight.account] ?? ArrivalWindow(limit: limit)
                window.limit = limit
                let free = window.earliest(at: now.seconds)
                guard free <= now.seconds + DispatchStateMachine.epsilon else {
                    arrivals[flight.account] = window
                    stages[entry.id]?.phase = .waiting(slot: free)
                    continue
                }
                window.sent()
                arrivals[flight.account] = window
            }
            shaper.consume(at: now.seconds)
            shapers[flight.account] = shaper
            let message = outgoingMessage(flight)
            stages[entry.id] = nil
            outstanding.insert(entry.id)
            flights[entry.id]?.reusedMedia = message != flight.messages[flight.part]
            if flight.startedAt == nil { flights[entry.id]?.startedAt = now.wallMs }
            actions.append(.send(Send(deliveryID: entry.id, account: flight.account, message: message)))
        }
        return actions
    }

    private func makeShaper(_ account: String, at seconds: Double) -> GCRA {
        let rate = settings.accounts[account]?.rate ?? 1
        // 5 ms of catch-up, at every rate: enough to absorb a late wake without drifting below the rate, and
        // with the headroom still no more than `rate` calls in any one-second window.
        return GCRA(rate: rate * RateLimiter.headroom, tolerance: 0.005, start: seconds)
    }

    /// Gives every loaded row of a subscriber its new status, so no window sends to it on what it read earlier.
    mutating func patchStatus(_ subscriberID: Int64, status: String, lastInboundAt: Int64? = nil) {
        for id in Array(campaigns.keys) {
            // Indices first, then the writes: holding a copy of the state while writing would copy the window.
            let indices = campaigns[id].map { state in (state.readIndex..<state.window.count).filter { state.window[$0].subscriberID == subscriberID } } ?? []
            for index in indices {
                campaigns[id]?.window[index].status = status
                if let lastInboundAt, let known = campaigns[id]?.window[index].lastInboundAt ?? .some(0), lastInboundAt > known {
                    campaigns[id]?.window[index].lastInboundAt = lastInboundAt
                }
            }
        }
    }

    private mutating func loads(at now: Instant) -> [Action] {
        var actions: [Action] = []
        for (id, var state) in campaigns where !state.loading && state.pendingCount < settings.windowLow {
            if state.exhausted {
                guard state.pendingCount == 0, let reload = state.reloadAt, reload <= now.seconds else { continue }
                // Start again from the ledger's first due row: retries that came due sit behind the window.
                state.window = []
                state.readIndex = 0
                state.loadedThrough = 0
                state.exhausted = false
                state.reloadAt = nil
            }
            state.loading = true
            campaigns[id] = state
            actions.append(.load(campaignID: id, after: state.loadedThrough, limit: settings.windowSize))
        }
        return actions
    }

    // MARK: - Store failures

    private mutating func noteStoreFailure(_ reason: String, at now: Instant) -> [Action] {
        storeFailures += 1
        let backoff = min(30, 0.5 * Double(1 << min(storeFailures - 1, 6)))
        storeBlockedUntil = now.seconds + backoff
        return storeFailures == 1 ? [.storeFailing(reason: reason)] : []
    }

    private var wasFailing = false

    private mutating func noteStoreRecovered() {
        wasFailing = wasFailing || storeFailures > 0
        storeFailures = 0
        storeBlockedUntil = nil
    }

    private mutating func storeRecoveredAction() -> [Action] {
        guard wasFailing else { return [] }
        wasFailing = false
        return [.storeRecovered]
    }

    // MARK: - Results

    func result(
        _ flight: Flight, _ state: DeliveryResult.State, reason: String? = nil, partsSent: Int, next: Int64? = nil,
        subscriberStatus: String? = nil, uncertain: Bool = false
    ) -> DeliveryResult {
        DeliveryResult(
            deliveryID: flight.delivery.id, campaignID: flight.delivery.campaignID, subscriberID: flight.delivery.subscriberID,
            account: flight.account, state: state, messageID: flight.lastMessageID, reason: reason, partsSent: partsSent,
            nextAttemptAt: next, subscriberStatus: subscriberStatus, migratedChatID: flight.migratedTo,
            possibleDuplicate: flight.delivery.wasUncertain || uncertain, sentAt: state == .sent ? flight.startedAt : nil
        )
    }

    /// Queues a result for the ledger; a delivery due again makes its campaign look again then.
    mutating func finish(_ result: DeliveryResult, at now: Instant) {
        unrecorded.append(result)
        if let next = result.nextAttemptAt, result.state == .pending || result.state == .uncertain {
            let due = now.seconds + max(0, Double(next - now.wallMs) / 1000)
            if var state = campaigns[result.campaignID] {
                state.reloadAt = min(state.reloadAt ?? due, due)
                campaigns[result.campaignID] = state
            }
        }
    }
}
