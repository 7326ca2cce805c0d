extension DispatchStateMachine {
    /// Picks what may go out within `lookahead`: priority levels in order, the campaigns of a level
    /// round-robin, one delivery each per round. Returns the ids to mark `sending`.
    mutating func pick(at now: Instant, batch: Int) -> [Int64] {
        pickDeadline = nil
        var budget = settings.maxInFlight + settings.markAhead - flights.count
        guard budget > 0 else { return [] }
        var picked: [Int64] = []
        for level in levels where budget > 0 {
            var active = level.filter { id in campaigns[id].map { broken[$0.campaign.account] == nil } ?? false }
            var waits: [Int64: Int] = [:]
            while budget > 0 && !active.isEmpty {
                var stillActive: [Int64] = []
                for id in active where budget > 0 {
                    guard let account = campaigns[id]?.campaign.account, mayPick(account, at: now) else { continue }
                    // Mutated in place through the dictionary: a copy would duplicate the window on every requeue.
                    guard let row = campaigns[id]?.next(), let campaign = campaigns[id]?.campaign else { continue }
                    if flights[row.id] != nil {
                        stillActive.append(id)
                        continue
                    }
                    if let reason = skipReason(row, campaign: campaign, at: now) {
                        unrecorded.append(DeliveryResult(deliveryID: row.id, campaignID: id, subscriberID: row.subscriberID, account: campaign.account, state: .skipped, reason: reason))
                        stillActive.append(id)
                        continue
                    }
                    let messages: [OutgoingMessage]
                    do {
                        messages = try render(campaign, row)
                    } catch {
                        unrecorded.append(DeliveryResult(deliveryID: row.id, campaignID: id, subscriberID: row.subscriberID, account: campaign.account, state: .failed, reason: error.reason))
                        stillActive.append(id)
                        continue
                    }
                    let part = min(row.partsSent, messages.count - 1)
                    let chat = row.profile.platformID
                    let (slot, taken) = limiter.reserve(
                        account: campaign.account, chat: chat, heavyMedia: messages[part].isHeavyMedia, job: campaign.jobID, at: now.seconds,
                        notAfter: now.seconds + settings.lookahead + DispatchStateMachine.epsilon
                    )
                    guard taken else {
                        // A busy chat or an exhausted account: rotate it behind the others and try a few more.
                        campaigns[id]?.window.append(row)
                        pickDeadline = min(pickDeadline ?? .infinity, slot - settings.lookahead)
                        waits[id, default: 0] += 1
                        if waits[id]! < 4 { stillActive.append(id) }
                        continue
                    }
                    flights[row.id] = Flight(
                        delivery: row, jobID: campaign.jobID, account: campaign.account, chat: chat, messages: messages, part: part
                    )
                    stages[row.id] = Stage(phase: .marking(slot: slot, batch: batch), order: nextOrder())
                    if outages[campaign.account] != nil { outages[campaign.account]?.probing = row.id }
                    picked.append(row.id)
                    budget -= 1
                    stillActive.append(id)
                }
                active = stillActive
            }
        }
        return picked
    }

    /// Why a delivery must not be sent, if it must not: the campaign expired, the subscriber left, or
    /// Messenger's 24-hour window is closed.
    func skipReason(_ row: PendingDelivery, campaign: DispatchCampaign, at now: Instant) -> String? {
        if let expiry = campaign.expiresAt, now.wallMs >= expiry { return "expired" }
        if let status = gone[row.subscriberID] { return status }
        if row.status != "subscribed", !(campaign.reachesUnsubscribed && row.status == "unsubscribed") { return row.status }
        if campaign.platform == .messenger, campaign.options.messagingType != .messageTag {
            guard let last = row.lastInboundAt, now.wallMs - last <= 86_400_000 else { return "outside_window" }
        }
        return nil
    }

    func render(_ campaign: DispatchCampaign, _ row: PendingDelivery) throws(RenderError) -> [OutgoingMessage] {
        var request = RenderRequest(profile: row.profile, options: campaign.options, deliveryID: row.id)
        if let tracker = campaign.tracker {
            let campaignID = campaign.id, subscriberID = row.subscriberID
            request.rewriteLink = { _, index in tracker.url(ClickTarget(campaignID: campaignID, subscriberID: subscriberID, linkIndex: index)) }
        }
        switch campaign.platform {
        case .telegram: return try TelegramRenderer(personalizer: personalizer).render(campaign.content, chatID: row.profile.platformID, request: request)
        case .messenger: return try MessengerRenderer(personalizer: personalizer).render(campaign.content, psid: row.profile.platformID, request: request)
        }
    }
}
