import Foundation
import HeraldModel
import Logging
import ServiceLifecycle
import Synchronization

/// Sends running campaigns: one delivery per recipient, as fast as the platforms allow and no faster.
///
/// Owns the worker pool (a task group bounded by `maxInFlight`), the rate limiter and the in-memory windows of
/// due deliveries. Reads campaigns and deliveries from the ledger in batches (a million-recipient audience never
/// sits in memory), marks each batch `sending` before its calls go out and records outcomes in batches after.
/// Every `tick` it starts due campaigns, refills windows, picks deliveries fairly (transactional `message` jobs
/// first, then campaigns round-robin) and flushes results. On graceful shutdown it stops picking, lets the calls
/// in flight finish, records them and returns.
public final class Dispatcher<C: Clock>: Service, Sendable where C.Duration == Duration {
    let store: HeraldStore
    let settings: ConfigurationHolder
    let transport: any HTTPTransport
    let status: DaemonStatus
    let logger: Logger
    let clock: C
    let now: @Sendable () -> Date
    let tick: Duration
    let maxInFlight: Int
    let random: @Sendable () -> Double
    let personalizer = Personalizer()
    let shared: Mutex<Shared>

    /// State the delivery tasks share with the loop.
    struct Shared {
        var limiter: RateLimiter
        var results: [HeraldStore.DeliveryResult] = []
        var inFlight = 0
        var brokenAccounts: [String: String] = [:]
        /// Subscribers the platform just reported gone (blocked, deactivated), with their new status, until
        /// that status is in the database: deliveries already loaded for them must not go out meanwhile.
        var gone: [Int64: String] = [:]
        var sentInWindow = 0
        /// Per campaign: media URL → the platform's id for it, learned from the first send.
        var media: [Int64: [String: String]] = [:]
    }

    public init(
        store: HeraldStore, settings: ConfigurationHolder, transport: any HTTPTransport, status: DaemonStatus, logger: Logger,
        clock: C, now: @escaping @Sendable () -> Date = Date.init, tick: Duration = .milliseconds(5), maxInFlight: Int = 512,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.store = store
        self.settings = settings
        self.transport = transport
        self.status = status
        self.logger = logger
        self.clock = clock
        self.now = now
        self.tick = tick
        self.maxInFlight = maxInFlight
        self.random = random
        shared = Mutex(Shared(limiter: RateLimiter(accounts: Dispatcher.limits(settings.configuration))))
    }

    static func limits(_ configuration: Configuration) -> [String: RateLimiter.AccountLimits] {
        configuration.accounts.mapValues { RateLimiter.AccountLimits(platform: $0.platform, rate: $0.rate) }
    }

    public func run() async throws {
        let recovered = try store.markInFlightUncertain(now: now(), wait: Int64(settings.configuration.dispatch.uncertainRetrySeconds))
        if recovered > 0 {
            let wait = settings.configuration.dispatch.uncertainRetrySeconds
            logger.warning(
                "\(recovered) deliveries were in flight at the last stop; they are marked uncertain and are sent again, flagged as possible duplicates, in \(wait) s",
                metadata: ["event": "recovered_in_flight"]
            )
        }
        let origin = clock.now
        let seconds: @Sendable () -> Double = { [clock] in
            let elapsed = origin.duration(to: clock.now)
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
        var queues: [Int64: CampaignQueue] = [:]
        var nextHousekeeping = 0.0
        var configuration = settings.configuration
        var rateWindowStart = seconds()
        await withDiscardingTaskGroup { group in
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                let time = seconds()
                if time >= nextHousekeeping {
                    if settings.configuration != configuration {
                        configuration = settings.configuration
                        shared.withLock {
                            $0.limiter.update(accounts: Dispatcher.limits(configuration))
                            $0.brokenAccounts = [:]
                        }
                    }
                    housekeeping(&queues, configuration: configuration, at: time)
                    nextHousekeeping = time + 1
                }
                for item in pick(&queues, configuration: configuration, at: time) {
                    group.addTask { [self] in
                        let completed = await deliver(item, seconds: seconds)
                        shared.withLock {
                            $0.results.append(completed)
                            $0.inFlight -= 1
                        }
                    }
                }
                flush()
                if time - rateWindowStart >= 1 {
                    let (sent, inFlight) = shared.withLock { state in
                        defer { state.sentInWindow = 0 }
                        return (state.sentInWindow, state.inFlight)
                    }
                    status.recordDispatch(inFlight: inFlight, sendsPerSecond: Double(sent) / (time - rateWindowStart))
                    rateWindowStart = time
                }
                try? await clock.sleep(for: tick)
            }
        }
        flush()
        status.recordDispatch(inFlight: 0, sendsPerSecond: 0)
        await transport.shutdown()
    }

    /// Once a second: start due campaigns, track which are running, complete finished ones, forget idle chats.
    func housekeeping(_ queues: inout [Int64: CampaignQueue], configuration: Configuration, at time: Double) {
        do {
            for id in try store.startDueCampaigns(now: now()) {
                logger.info("campaign \(id) started", metadata: ["event": "campaign_started", "campaign.id": "\(id)"])
            }
            let running = try store.runningCampaigns()
            let ids = Set(running.map(\.id))
            for id in queues.keys where !ids.contains(id) { queues[id] = nil }
            shared.withLock { state in state.media = state.media.filter { ids.contains($0.key) } }
            let decoder = configuration.jobDecoder(now: now())
            for campaign in running {
                if let queue = queues[campaign.id] {
                    if queue.pendingCount == 0 { queue.rewind() }
                    continue
                }
                guard let queue = makeQueue(campaign, decoder: decoder, configuration: configuration) else { continue }
                queues[campaign.id] = queue
            }
            for job in try store.completeFinishedCampaigns(now: now()) {
                logger.notice("campaign of job \(job) completed", metadata: ["event": "campaign_completed", "job.id": "\(job)"])
            }
        } catch {
            logger.error("dispatch housekeeping failed: \(error)", metadata: ["event": "dispatch_error"])
        }
        shared.withLock { $0.limiter.prune(at: time) }
    }

    /// Decodes a running campaign's job; a job that no longer validates (its account was removed) is reported and left.
    func makeQueue(_ campaign: HeraldStore.RunningCampaign, decoder: JobDecoder, configuration: Configuration) -> CampaignQueue? {
        // Paid broadcast is billed in Stars: a job may ask for it only where the account enabled it.
        func options(_ requested: SendOptions) -> SendOptions {
            var options = requested
            options.paidBroadcast = requested.paidBroadcast && configuration.accounts[campaign.account]?.paidBroadcast == true
            return options
        }
        do {
            guard let body = try store.jobBody(campaign.jobID) else { return nil }
            let job = try decoder.decode(Array(body.utf8))
            switch job.body {
            case .campaign(let body):
                shared.withLock { $0.limiter.setJobRate(campaign.jobID, rate: body.options.rate) }
                return CampaignQueue(campaign: campaign, content: body.message, options: options(body.options), audience: body.audience, platform: body.platform)
            case .message(let body):
                shared.withLock { $0.limiter.setJobRate(campaign.jobID, rate: body.options.rate) }
                return CampaignQueue(campaign: campaign, content: body.message, options: options(body.options), audience: .recipients(body.recipients), platform: body.platform)
            default:
                return nil
            }
        } catch {
            logger.error("campaign \(campaign.id) (job \(campaign.jobID)) cannot be sent: \(error)", metadata: ["event": "dispatch_error", "job.id": "\(campaign.jobID)"])
            return nil
        }
    }

    /// Loads more due deliveries into a window that runs low, expanding the audience when the ledger has none.
    func refill(_ queue: CampaignQueue) {
        guard queue.pendingCount < 256, !queue.exhausted else { return }
        do {
            var rows = try store.dueDeliveries(campaignID: queue.campaign.id, after: queue.loadedThrough, limit: 1024, now: now())
            if rows.isEmpty, !queue.expanded {
                queue.expanded = try store.expandAudience(queue.campaign, audience: queue.audience, batch: 5000, now: now())
                rows = try store.dueDeliveries(campaignID: queue.campaign.id, after: queue.loadedThrough, limit: 1024, now: now())
            }
            if rows.isEmpty && queue.expanded { queue.exhausted = true }
            queue.append(rows)
        } catch {
            logger.error("cannot load deliveries of campaign \(queue.campaign.id): \(error)", metadata: ["event": "dispatch_error"])
            queue.exhausted = true
        }
    }

    /// Records finished deliveries in one transaction.
    func flush() {
        let completed = shared.withLock { state in
            defer { state.results.removeAll(keepingCapacity: true) }
            return state.results
        }
        guard !completed.isEmpty else { return }
        do {
            try store.record(completed, now: now())
            // From here on the database refuses them (markSending checks the subscriber's status).
            shared.withLock { state in for result in completed where result.subscriberStatus != nil { state.gone[result.subscriberID] = nil } }
        } catch {
            // The rows stay `sending`: the next start marks them uncertain, so nothing is skipped.
            logger.error("cannot record \(completed.count) delivery outcomes: \(error)", metadata: ["event": "dispatch_error"])
        }
    }
}
