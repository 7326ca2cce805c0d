extension DispatchStateMachine {
    /// The platform's answer to a delivery's outstanding call: the next part is scheduled, or the delivery
    /// gets its result. `writtenAt` (monotonic seconds) is when the call's request was written, when the transport
    /// knows. `random` in [0, 1) jitters retries.
    public mutating func outcome(deliveryID: Int64, _ outcome: SendOutcome, at now: Instant, writtenAt: Double? = nil, random: Double) -> [Action] {
        guard outstanding.remove(deliveryID) != nil, let flight = flights[deliveryID] else { return [] }
        arrivals[flight.account]?.answered(at: now.seconds, writtenAt: writtenAt)
        limiter.completed(account: flight.account, chat: flight.chat, at: now.seconds)
        return noteOutage(flight, outcome, at: now, random: random) + apply(outcome, to: flight, at: now, random: random)
    }

    private mutating func apply(_ outcome: SendOutcome, to flight: Flight, at now: Instant, random: Double) -> [Action] {
        var flight = flight
        let deliveryID = flight.delivery.id
        switch outcome {
        case .sent(let messageID, let reusable):
            sentCalls += 1
            var actions: [Action] = []
            if let url = flight.messages[flight.part].mediaURL?.string, let reusable, !flight.reusedMedia, media[flight.account]?[url] != reusable {
                media[flight.account, default: [:]][url] = reusable
                actions.append(.rememberMedia(account: flight.account, url: url, mediaID: reusable))
            }
            flight.lastMessageID = messageID
            flight.part += 1
            flight.reusedMedia = false
            guard flight.part < flight.messages.count else {
                land(deliveryID)
                finish(result(flight, .sent, partsSent: flight.part), at: now)
                return actions
            }
            return actions + schedule(flight, at: now)
        case .migrated(let newChat):
            guard flight.migratedTo == nil else { return end(flight, .failed, reason: "chat migrated twice", at: now) }
            flight.migratedTo = newChat
            flight.chat = newChat
            flight.messages = flight.messages.map { message in
                var message = message
                if case .object(var body) = message.body {
                    body.set("chat_id", .number(newChat))
                    message.body = .object(body)
                }
                return message
            }
            return schedule(flight, at: now)
        case .retry(let reason, let after):
            let first = Double(flight.delivery.firstAttemptAt ?? now.wallMs) / 1000
            let attempt = flight.delivery.attempts + 1
            guard let next = settings.retry.nextAttempt(attempts: attempt, firstAttemptAt: first, now: Double(now.wallMs) / 1000, suggested: after, random: random) else {
                let hours = Int((settings.retry.maxAge / 3600).rounded())
                return end(flight, .failed, reason: "gave up after \(attempt) attempts in \(hours) h: \(reason)", at: now)
            }
            return end(flight, .pending, reason: reason, next: Int64((next * 1000).rounded()), at: now)
        case .rateLimited(let scope, let retryAfter, let reason):
            let pause = retryAfter ?? 1
            limiter.pause(scope == .account ? .account(flight.account) : .chat(account: flight.account, chat: flight.chat), until: now.seconds + pause)
            let next = now.wallMs + Int64(pause * 1000)
            if scope == .account { release(account: flight.account, reason: reason, next: next, at: now) }
            return [.rateLimited(account: flight.account, seconds: pause, reason: reason)] + end(flight, .pending, reason: "rate limited: \(reason)", next: next, at: now)
        case .recipientGone(let status, let reason):
            gone[flight.delivery.subscriberID] = status.rawValue
            patchStatus(flight.delivery.subscriberID, status: status.rawValue)
            return end(flight, .failed, reason: reason, subscriberStatus: status.rawValue, at: now)
        case .outsideWindow(let reason):
            return end(flight, .skipped, reason: "outside_window: \(reason)", at: now)
        case .accountBroken(let reason):
            let first = broken[flight.account] == nil
            broken[flight.account] = reason
            let next = now.wallMs + Int64(settings.brokenAccountRetrySeconds * 1000)
            release(account: flight.account, reason: reason, next: next, at: now)
            return (first ? [.accountPaused(account: flight.account, reason: reason)] : []) + end(flight, .pending, reason: reason, next: next, at: now)
        case .permanent where flight.reusedMedia && !flight.mediaFallback:
            // A remembered id the platform no longer takes (another bot behind the token, an expired
            // attachment): forget it and send this part by URL, once.
            guard let url = flight.messages[flight.part].mediaURL?.string else { return end(flight, .failed, reason: "media id refused", at: now) }
            if media[flight.account]?[url] != nil { media[flight.account]?[url] = nil }
            flight.mediaFallback = true
            flight.reusedMedia = false
            return [.forgetMedia(account: flight.account, url: url)] + schedule(flight, at: now)
        case .permanent(let reason):
            let where_ = flight.messages.count > 1 ? " (part \(flight.part + 1) of \(flight.messages.count))" : ""
            return end(flight, .failed, reason: reason + where_, at: now)
        case .uncertain(let reason):
            let wait = Int64(settings.uncertainRetrySeconds * 1000)
            return end(flight, .uncertain, reason: reason, next: now.wallMs + wait, uncertain: true, at: now)
        }
    }

    /// Deliveries of an account that hold a slot but have not been sent go back to pending: the account
    /// cannot take them now (a revoked token, an account-wide 429).
    mutating func release(account: String, reason: String, next: Int64, at now: Instant) {
        // Those whose mark is still being written are handled when it answers (`marked`).
        for (id, stage) in stages {
            guard stage.phase.isUnsent, let flight = flights[id], flight.account == account else { continue }
            land(id)
            probeDropped(id, account: account)
            finish(result(flight, .pending, reason: reason, partsSent: flight.part, next: next), at: now)
        }
    }

    /// The delivery's next call gets a slot; it goes now if the slot has come.
    private mutating func schedule(_ flight: Flight, at now: Instant) -> [Action] {
        let message = flight.messages[flight.part]
        flights[flight.delivery.id] = flight
        let (slot, taken) = limiter.reserve(
            account: flight.account, chat: flight.chat, heavyMedia: message.isHeavyMedia, job: flight.jobID, at: now.seconds,
            notAfter: now.seconds + settings.lookahead + DispatchStateMachine.epsilon
        )
        guard taken else {
            // Its chat is busy for a while: reserving now would book the account's schedule that far ahead.
            stages[flight.delivery.id] = Stage(phase: .held(until: slot - settings.lookahead), order: nextOrder())
            return []
        }
        stages[flight.delivery.id] = Stage(phase: .waiting(slot: slot), order: nextOrder())
        return slot <= now.seconds ? fire(at: now) : []
    }

    /// The call to make for a flight's current part; a file the account already uploaded goes by its id
    /// (except right after that id was refused for this delivery).
    func outgoingMessage(_ flight: Flight) -> OutgoingMessage {
        let message = flight.messages[flight.part]
        if !flight.mediaFallback, let url = message.mediaURL, let id = media[flight.account]?[url.string] { return message.reusing(mediaID: id) }
        return message
    }

    private mutating func end(
        _ flight: Flight, _ state: DeliveryResult.State, reason: String? = nil, next: Int64? = nil, subscriberStatus: String? = nil,
        uncertain: Bool = false, at now: Instant
    ) -> [Action] {
        land(flight.delivery.id)
        finish(result(flight, state, reason: reason, partsSent: flight.part, next: next, subscriberStatus: subscriberStatus, uncertain: uncertain), at: now)
        return []
    }
}
