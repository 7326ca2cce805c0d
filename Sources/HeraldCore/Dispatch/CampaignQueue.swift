import HeraldModel

/// One running campaign as the dispatcher holds it: its decoded job and a bounded window of due deliveries.
final class CampaignQueue {
    let campaign: HeraldStore.RunningCampaign
    let content: MessageContent
    let options: SendOptions
    let audience: Audience
    let platform: Platform
    /// Deliveries loaded from the ledger, not yet picked.
    var ready: [HeraldStore.DeliveryRow] = []
    var readIndex = 0
    /// The last delivery id loaded, so reloads continue where the window ended.
    var loadedThrough: Int64 = 0
    var expanded: Bool
    /// Nothing due right now; look again at the next housekeeping.
    var exhausted = false

    init(campaign: HeraldStore.RunningCampaign, content: MessageContent, options: SendOptions, audience: Audience, platform: Platform) {
        self.campaign = campaign
        self.content = content
        self.options = options
        self.audience = audience
        self.platform = platform
        self.expanded = campaign.audienceExpanded
    }

    var pendingCount: Int { ready.count - readIndex }

    func next() -> HeraldStore.DeliveryRow? {
        guard readIndex < ready.count else { return nil }
        defer { readIndex += 1 }
        return ready[readIndex]
    }

    /// Puts a delivery back at the end of the window (its chat is busy; others may go first).
    func requeue(_ row: HeraldStore.DeliveryRow) { ready.append(row) }

    func append(_ rows: [HeraldStore.DeliveryRow]) {
        if readIndex > 0 {
            ready.removeFirst(readIndex)
            readIndex = 0
        }
        ready += rows
        if let last = rows.last { loadedThrough = max(loadedThrough, last.id) }
    }

    /// Forgets the window so the next load starts again from the ledger (retries that came due).
    func rewind() {
        ready = []
        readIndex = 0
        loadedThrough = 0
        exhausted = false
    }
}
