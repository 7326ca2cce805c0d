import Foundation
import HeraldCore
import HeraldModel
import Testing

/// The inbound side of the store on an in-memory database: bodies in order, effects applied once, the poll
/// offset moving with its updates, and pruning.
@Suite struct InboundStoreTests {
    static let platforms: [String: Platform] = ["shop_bot": .telegram]

    static func start(_ user: String, key: String, payload: String? = nil) -> (account: String, event: InboundEvent) {
        ("shop_bot", InboundEvent(userID: user, at: 1_000, key: key, profile: Recipient(platformID: user, firstName: "Al"), kind: .start(payload: payload)))
    }

    @Test func bodiesComeBackInOrder_andAreProcessedOnce() async throws {
        let store = try HeraldStore.inMemory()
        let now = Date()
        try await store.appendInbound([InboundBody(platform: .telegram, account: "shop_bot", body: Array("a".utf8)), InboundBody(platform: .messenger, account: nil, body: Array("b".utf8))], now: now)
        let records = try await store.unprocessedInbound(limit: 10)
        #expect(records.map(\.body) == [Array("a".utf8), Array("b".utf8)])
        #expect(records.map(\.account) == ["shop_bot", nil])
        let batch = [ParsedInbound(recordID: records[0].id, events: [Self.start("7", key: "u:1", payload: "qr_code")]), ParsedInbound(recordID: records[1].id, events: [], error: "not JSON")]
        let first = try await store.applyInbound(batch, automations: [:], platforms: Self.platforms, now: now)
        #expect(first.applied == 1 && first.duplicates == 0)
        #expect(first.changed.map(\.status) == ["subscribed"])
        #expect(try await store.unprocessedInbound(limit: 10).isEmpty)
        #expect(try await store.inboundBacklog() == 0)
        // The same event again (a redelivery in a new body): nothing changes.
        let again = try await store.applyInbound([ParsedInbound(recordID: records[0].id, events: [Self.start("7", key: "u:1", payload: "other")])], automations: [:], platforms: Self.platforms, now: now)
        #expect(again.applied == 0 && again.duplicates == 1 && again.changed.isEmpty)
    }

    @Test func welcome_isQueuedAsAMessage_inTheSameTransaction() async throws {
        let store = try HeraldStore.inMemory()
        var automations = Automations()
        automations.welcome = MessageContent(modules: [.text(TemplateText(unchecked: "Hi {{first_name}}"), buttons: [])])
        try await store.appendInbound([InboundBody(platform: .telegram, account: "shop_bot", body: [])], now: Date())
        let record = try #require(try await store.unprocessedInbound(limit: 1).first)
        let effects = try await store.applyInbound([ParsedInbound(recordID: record.id, events: [Self.start("8", key: "u:2")])], automations: ["shop_bot": automations], platforms: Self.platforms, now: Date())
        #expect(effects.messagesQueued == 1)
        let status = try #require(try store.jobStatus(id: JobID(validating: "auto.\(record.id).1")!))
        #expect(status.kind == "message")
    }

    @Test func pollOffset_movesWithItsUpdates() async throws {
        let store = try HeraldStore.inMemory()
        #expect(try await store.telegramOffset("shop_bot") == nil)
        try await store.appendPolled(account: "shop_bot", updates: Array("[]".utf8), nextOffset: 42, now: Date())
        #expect(try await store.telegramOffset("shop_bot") == 42)
        try await store.appendPolled(account: "shop_bot", updates: nil, nextOffset: 43, now: Date())
        #expect(try await store.telegramOffset("shop_bot") == 43)
        #expect(try await store.inboundBacklog() == 1)
    }

    @Test func pruning_dropsProcessedBodiesAndOldKeys_only() async throws {
        let store = try HeraldStore.inMemory()
        let then = Date().addingTimeInterval(-8 * 86_400)
        try await store.appendInbound([InboundBody(platform: .telegram, account: "shop_bot", body: []), InboundBody(platform: .telegram, account: "shop_bot", body: [])], now: then)
        let records = try await store.unprocessedInbound(limit: 10)
        _ = try await store.applyInbound([ParsedInbound(recordID: records[0].id, events: [Self.start("9", key: "u:3")])], automations: [:], platforms: Self.platforms, now: then)
        let pruned = try await store.pruneInbound(before: Date().addingTimeInterval(-7 * 86_400))
        #expect(pruned.bodies == 1 && pruned.keys == 1)
        #expect(try await store.inboundBacklog() == 1)
    }
}
