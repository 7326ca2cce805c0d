import Foundation
import HeraldModel
import Logging

extension Dispatcher {
    /// One delivery on its way: the rendered calls and the channel to send them through.
    struct WorkItem: Sendable {
        var campaignID: Int64
        var jobID: String
        var account: String
        var chat: String
        var row: HeraldStore.DeliveryRow
        var messages: [OutgoingMessage]
        var channel: any MessagingChannel
    }

    /// Picks what may go out now: transactional jobs first, then campaigns round-robin, each delivery's first
    /// call granted by the rate limiter. Marks the picked deliveries `sending` in one transaction.
    func pick(_ queues: inout [Int64: CampaignQueue], configuration: Configuration, at time: Double) -> [WorkItem] {
        var budget = maxInFlight - shared.withLock { $0.inFlight }
        guard budget > 0, !queues.isEmpty else { return [] }
        let (broken, gone) = shared.withLock { ($0.brokenAccounts, $0.gone) }
        let wall = now()
        let nowMs = Int64((wall.timeIntervalSince1970 * 1000).rounded())
        var picked: [WorkItem] = []
        var immediate: [HeraldStore.DeliveryResult] = []
        let levels = Dictionary(grouping: queues.values, by: { $0.campaign.priority }).sorted { $0.key < $1.key }
        for (_, level) in levels where budget > 0 {
            var active = level.sorted { $0.campaign.id < $1.campaign.id }.filter { broken[$0.campaign.account] == nil }
            var waits: [Int64: Int] = [:]
            while budget > 0 && !active.isEmpty {
                var stillActive: [CampaignQueue] = []
                for queue in active where budget > 0 {
                    refill(queue)
                    guard let row = queue.next(), let account = configuration.accounts[queue.campaign.account] else { continue }
                    if let reason = gone[row.subscriberID] ?? skipReason(row, queue: queue, nowMs: nowMs) {
                        immediate.append(.init(deliveryID: row.id, campaignID: row.campaignID, subscriberID: row.subscriberID, account: account.name, state: .skipped, reason: reason))
                        stillActive.append(queue)
                        continue
                    }
                    let messages: [OutgoingMessage]
                    do {
                        messages = try render(queue, row: row)
                    } catch {
                        immediate.append(.init(deliveryID: row.id, campaignID: row.campaignID, subscriberID: row.subscriberID, account: account.name, state: .failed, reason: error.reason))
                        stillActive.append(queue)
                        continue
                    }
                    let part = min(row.partsSent, messages.count - 1)
                    let decision = shared.withLock {
                        $0.limiter.acquire(account: account.name, chat: row.profile.platformID, heavyMedia: messages[part].isHeavyMedia, job: queue.campaign.jobID, at: time)
                    }
                    guard decision == .granted else {
                        // Busy chat or exhausted account: rotate it behind the others and try a few more.
                        queue.requeue(row)
                        waits[queue.campaign.id, default: 0] += 1
                        if waits[queue.campaign.id]! < 4 { stillActive.append(queue) }
                        continue
                    }
                    let channel = ChannelFactory.channel(for: account, transport: transport)
                    picked.append(WorkItem(campaignID: queue.campaign.id, jobID: queue.campaign.jobID, account: account.name, chat: row.profile.platformID, row: row, messages: messages, channel: channel))
                    budget -= 1
                    stillActive.append(queue)
                }
                active = stillActive
            }
        }
        if !immediate.isEmpty { shared.withLock { $0.results += immediate } }
        guard !picked.isEmpty else { return [] }
        do {
            let marked = try store.markSending(picked.map(\.row.id), now: wall)
            picked = picked.filter { marked.contains($0.row.id) }
        } catch {
            logger.error("cannot mark \(picked.count) deliveries as sending; they wait for the next pass: \(error)", metadata: ["event": "dispatch_error"])
            for queue in queues.values { queue.rewind() }
            return []
        }
        shared.withLock { $0.inFlight += picked.count }
        return picked
    }

    /// Why a delivery must not be sent, if it must not: the subscriber left, or Messenger's 24-hour window is closed.
    func skipReason(_ row: HeraldStore.DeliveryRow, queue: CampaignQueue, nowMs: Int64) -> String? {
        if row.status != "subscribed" { return row.status }
        if queue.platform == .messenger, queue.options.messagingType != .messageTag {
            guard let last = row.lastInboundAt, nowMs - last <= 86_400_000 else { return "outside_window" }
        }
        return nil
    }

    func render(_ queue: CampaignQueue, row: HeraldStore.DeliveryRow) throws(RenderError) -> [OutgoingMessage] {
        let request = RenderRequest(profile: row.profile, options: queue.options, deliveryID: row.id)
        switch queue.platform {
        case .telegram: return try TelegramRenderer(personalizer: personalizer).render(queue.content, chatID: row.profile.platformID, request: request)
        case .messenger: return try MessengerRenderer(personalizer: personalizer).render(queue.content, psid: row.profile.platformID, request: request)
        }
    }

    /// Sends a delivery's calls in order (the first already granted), waiting on the limiter between them.
    func deliver(_ item: WorkItem, seconds: @escaping @Sendable () -> Double) async -> HeraldStore.DeliveryResult {
        let row = item.row
        let channel = item.channel
        var messages = item.messages
        var index = min(row.partsSent, messages.count - 1)
        var lastID: String?
        var migratedTo: String?
        var needsGrant = false
        func result(_ state: HeraldStore.DeliveryResult.State, reason: String? = nil, next: Int64? = nil, subscriberStatus: String? = nil, uncertain: Bool = false) -> HeraldStore.DeliveryResult {
            .init(
                deliveryID: row.id, campaignID: item.campaignID, subscriberID: row.subscriberID, account: item.account, state: state,
                messageID: lastID, reason: reason, partsSent: index, nextAttemptAt: next, subscriberStatus: subscriberStatus,
                migratedChatID: migratedTo, possibleDuplicate: row.wasUncertain || uncertain
            )
        }
        while index < messages.count {
            if needsGrant {
                await waitForGrant(item, heavy: messages[index].isHeavyMedia, seconds: seconds)
                // Cancelled past the drain budget: stop between parts; the delivery resumes from this part later.
                if Task.isCancelled { return result(.pending, reason: "stopped before part \(index + 1)") }
            }
            needsGrant = true
            // A file another delivery of this campaign already uploaded goes by its id.
            if let url = messages[index].mediaURL, let id = shared.withLock({ $0.media[item.campaignID]?[url.string] }) {
                messages[index] = messages[index].reusing(mediaID: id)
            }
            let outcome = await channel.send(messages[index])
            shared.withLock { $0.limiter.completed(account: item.account, chat: item.chat, at: seconds()) }
            let wallMs = Int64((now().timeIntervalSince1970 * 1000).rounded())
            switch outcome {
            case .sent(let messageID, let reusable):
                lastID = messageID
                if let url = messages[index].mediaURL, let reusable {
                    shared.withLock { $0.media[item.campaignID, default: [:]][url.string] = reusable }
                }
                shared.withLock { $0.sentInWindow += 1 }
                index += 1
            case .migrated(let newChat):
                guard migratedTo == nil else { return result(.failed, reason: "chat migrated twice") }
                migratedTo = newChat
                messages = messages.map { message in
                    var message = message
                    if case .object(var body) = message.body {
                        body.set("chat_id", .number(newChat))
                        message.body = .object(body)
                    }
                    return message
                }
            case .retry(let reason, let after):
                let first = Double(row.firstAttemptAt ?? wallMs) / 1000
                let hours = settings.configuration.dispatch.retryMaxAgeHours
                let policy = RetryPolicy(maxAge: Double(hours) * 3600)
                let next = policy.nextAttempt(attempts: row.attempts + 1, firstAttemptAt: first, now: Double(wallMs) / 1000, suggested: after, random: random())
                guard let next else { return result(.failed, reason: "gave up after \(row.attempts + 1) attempts in \(hours) h: \(reason)") }
                return result(.pending, reason: reason, next: Int64(next * 1000))
            case .rateLimited(let scope, let retryAfter, let reason):
                let pause = retryAfter ?? 1
                shared.withLock {
                    $0.limiter.pause(scope == .account ? .account(item.account) : .chat(account: item.account, chat: item.chat), until: seconds() + pause)
                }
                logger.warning("\(item.account): rate limited for \(pause) s: \(reason)", metadata: ["event": "rate_limited", "account": "\(item.account)"])
                return result(.pending, reason: reason, next: wallMs + Int64(pause * 1000))
            case .recipientGone(let status, let reason):
                shared.withLock { $0.gone[row.subscriberID] = status.rawValue }
                return result(.failed, reason: reason, subscriberStatus: status.rawValue)
            case .outsideWindow(let reason):
                return result(.skipped, reason: "outside_window: \(reason)")
            case .accountBroken(let reason):
                let first = shared.withLock { state in
                    defer { state.brokenAccounts[item.account] = reason }
                    return state.brokenAccounts[item.account] == nil
                }
                if first {
                    logger.critical("account \(item.account) cannot send and is paused until the configuration is reloaded: \(reason)", metadata: ["event": "account_broken", "account": "\(item.account)"])
                }
                return result(.pending, reason: reason, next: wallMs + 60_000)
            case .permanent(let reason):
                let where_ = messages.count > 1 ? " (part \(index + 1) of \(messages.count))" : ""
                return result(.failed, reason: reason + where_)
            case .uncertain(let reason):
                let wait = Int64(settings.configuration.dispatch.uncertainRetrySeconds) * 1000
                return result(.uncertain, reason: reason, next: wallMs + wait, uncertain: true)
            }
        }
        return result(.sent)
    }

    /// Waits until the limiter grants the next call of a delivery.
    func waitForGrant(_ item: WorkItem, heavy: Bool, seconds: @Sendable () -> Double) async {
        while !Task.isCancelled {
            let decision = shared.withLock { $0.limiter.acquire(account: item.account, chat: item.chat, heavyMedia: heavy, job: item.jobID, at: seconds()) }
            guard case .wait(let until) = decision else { return }
            let delay = max(0.001, until - seconds())
            try? await clock.sleep(for: .milliseconds(Int64(delay * 1000) + 1))
        }
    }
}
