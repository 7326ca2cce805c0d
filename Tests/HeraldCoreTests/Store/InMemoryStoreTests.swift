import Foundation
import HeraldCore
import HeraldModel
import Testing

/// The store's intake and control rules, on an in-memory database: no spool, no daemon, no file.
@Suite struct InMemoryStoreTests {
    static let decoder = JobDecoder(accounts: AccountDirectory(["shop_bot": .telegram]), now: Date())

    static func accept(_ store: HeraldStore, _ text: String, _ receipt: String) throws -> IntakeVerdict {
        try store.accept(text: text, receipt: receipt, decoder: decoder)
    }

    @Test func control_ofAFailedCampaign_isRefused_andCancelSkipsWhatIsLeft() async throws {
        let store = try HeraldStore.inMemory()
        let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
        let campaign = #"{"type": "message", "id": "m1", "account": "shop_bot", "to": ["1", "2"], "message": {"modules": [{"type": "text", "text": "x"}]}}"#
        guard case .accepted(let summary) = try Self.accept(store, campaign, "r1") else { Issue.record("not accepted"); return }
        #expect(summary.hasSuffix("due now, 2 recipients"))
        // A campaign that failed (its account was removed) cannot be paused back to life
        let scheduled = #"{"type": "campaign", "id": "c1", "account": "shop_bot", "audience": {"all": true}, "send_at": ""# + later + #"", "message": {"modules": [{"type": "text", "text": "x"}]}}"#
        _ = try Self.accept(store, scheduled, "r2")
        // (campaign ids count from 1 in a fresh database: the message is 1, this campaign 2)
        try await store.failCampaign(2, reason: "its account shop_bot is no longer configured", now: Date())
        guard case .rejected(let refusal) = try Self.accept(store, #"{"type": "pause", "job": "c1"}"#, "r3") else { Issue.record("pause accepted"); return }
        #expect(refusal.code == "already_finished" && refusal.message.contains("already failed"))
        // Cancel of the message skips both deliveries with the reason
        guard case .accepted = try Self.accept(store, #"{"type": "cancel", "job": "m1"}"#, "r4") else { Issue.record("cancel refused"); return }
        let status = try #require(try store.jobStatus(id: JobID(unchecked: "m1")))
        #expect(status.state == "cancelled")
        #expect(status.deliveries == ["skipped": 2])
    }

    @Test func inMemoryStores_arePrivate() async throws {
        let one = try HeraldStore.inMemory()
        let two = try HeraldStore.inMemory()
        _ = try Self.accept(one, #"{"type": "message", "id": "only-here", "account": "shop_bot", "to": ["1"], "message": {"modules": [{"type": "text", "text": "x"}]}}"#, "r")
        #expect(try one.jobStatus(id: JobID(unchecked: "only-here")) != nil)
        #expect(try two.jobStatus(id: JobID(unchecked: "only-here")) == nil)
    }

    @Test func retryNow_afterAnOutage_makesOnlyItsFailuresDue() async throws {
        let store = try HeraldStore.inMemory()
        _ = try Self.accept(store, #"{"type": "message", "id": "m1", "account": "shop_bot", "to": ["1", "2", "3"], "message": {"modules": [{"type": "text", "text": "x"}]}}"#, "r1")
        // After the acceptance's own clock reading, so that the message is due
        let start = Date().addingTimeInterval(1)
        _ = try store.startDueCampaigns(now: start)
        let campaign = try #require(try store.runningCampaigns().first)
        #expect(try await store.markSending([1, 2, 3], now: start) == [1, 2, 3])
        let hourLater = start.addingTimeInterval(3600).millisecondsSince1970
        func result(_ id: Int64, _ state: DeliveryResult.State) -> DeliveryResult {
            DeliveryResult(deliveryID: id, campaignID: campaign.id, subscriberID: id, account: "shop_bot", state: state, reason: "HTTP 502", nextAttemptAt: hourLater)
        }
        // One failed before the outage's run began, one during it; one may have gone out (it keeps its wait)
        try await store.record([result(1, .pending)], now: start.addingTimeInterval(-600))
        try await store.record([result(2, .pending), result(3, .uncertain)], now: start)
        #expect(try await store.retryNow(account: "shop_bot", failedSince: start.addingTimeInterval(-60), now: start.addingTimeInterval(1)) == 1)
        let due = try await store.loadDue(campaign, audience: .all, expanded: true, after: 0, limit: 10, now: start.addingTimeInterval(1))
        #expect(due.rows.map(\.id) == [2])
    }
}
