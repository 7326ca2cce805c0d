import Foundation
import HeraldCore
import HeraldModel
import Testing

/// A popup form's life in the store: a submission waits under its hashed token; the person who arrives
/// with it gets the fields and the consent, once; a reused, expired or forged token subscribes without them;
/// unused submissions are purged; `forget` erases a person and keeps the counts; the growth report adds up.
@Suite struct PopupFormStoreTests {
    static let decoder = JobDecoder(accounts: AccountDirectory(["shop_bot": .telegram, "shop_page": .messenger]), now: Date())
    static let platforms: [String: Platform] = ["shop_bot": .telegram, "shop_page": .messenger]
    static let fields = [
        GrowthToolJob.Field(name: "first_name", kind: .firstName, label: "First name", required: true, choices: []),
        GrowthToolJob.Field(name: "email", kind: .email, label: "E-mail", required: false, choices: []),
    ]
    static let consent = GrowthToolJob.Consent(text: "I agree to offers in chat", version: "v2")
    static let form = #"{"type": "growth_tool", "action": "create", "name": "news-popup", "kind": "popup_form", "accounts": ["shop_bot"], "source": "popup_form", "fields": [{"type": "first_name", "label": "First name", "required": true}, {"type": "email", "label": "E-mail"}], "origins": ["https://shop.example.com"]}"#

    static func token(_ byte: UInt8) -> OptInToken { OptInToken(randomBytes: Array(repeating: byte, count: 16)) }

    /// `/start PAYLOAD` from `user`, applied as the processor would.
    static func start(_ store: HeraldStore, user: String, payload: String, key: String, now: Date) async throws {
        try await store.appendInbound([InboundBody(platform: .telegram, account: "shop_bot", body: [])], now: now)
        let record = try #require(try await store.unprocessedInbound(limit: 1).first)
        let event = InboundEvent(userID: user, at: now.millisecondsSince1970, key: key, profile: Recipient(platformID: user, firstName: "TelegramName"), kind: .start(payload: payload))
        _ = try await store.applyInbound([ParsedInbound(recordID: record.id, events: [("shop_bot", event)])], automations: [:], platforms: Self.platforms, now: now)
    }

    static func detail(_ store: HeraldStore, _ user: String) async throws -> [String: String] {
        var lines: [String: String] = [:]
        for (key, value) in try await store.subscriberDetail(account: "shop_bot", platformID: user) ?? [] { lines[key] = value }
        return lines
    }

    @Test func theFormsFields_reachThePersonWhoArrivesWithTheToken_once() async throws {
        let store = try HeraldStore.inMemory()
        _ = try store.accept(text: Self.form, receipt: "r1", decoder: Self.decoder)
        let now = Date()
        let body = Array(#"{"fields": {"first_name": "Zoë", "email": "zoe@example.com"}, "consent": true, "url": ""}"#.utf8)
        let intake = try await store.submitForm(tool: "news-popup", fields: Self.fields, consent: Self.consent, body: body, token: Self.token(1), now: now)
        #expect(intake == .pending(Self.token(1)))
        try await Self.start(store, user: "7", payload: "popup_form--" + Self.token(1).text, key: "u1", now: now.addingTimeInterval(60))
        let zoe = try await Self.detail(store, "7")
        #expect(zoe["name"] == "Zoë")
        #expect(zoe["source"] == "popup_form")
        #expect(zoe["fields"] == #"{"email":"zoe@example.com"}"#)
        #expect(zoe["consent"]?.contains("I agree to offers in chat") == true)
        #expect(zoe["consent"]?.hasPrefix("news-popup, version v2, at ") == true)
        // Someone else with the same link (forwarded, replayed): subscribed, without Zoë's fields.
        try await Self.start(store, user: "8", payload: "popup_form--" + Self.token(1).text, key: "u2", now: now.addingTimeInterval(120))
        let other = try await Self.detail(store, "8")
        #expect(other["name"] == "TelegramName")
        #expect(other["fields"] == "{}")
        #expect(other["source"] == "popup_form")
        #expect(other["consent"] == nil)
        // A forged token: the same.
        try await Self.start(store, user: "9", payload: "popup_form--" + Self.token(9).text, key: "u3", now: now.addingTimeInterval(180))
        #expect(try await Self.detail(store, "9")["fields"] == "{}")
    }

    @Test func anExpiredToken_subscribesWithoutTheFields_andUnusedSubmissionsArePurged() async throws {
        let store = try HeraldStore.inMemory()
        let now = Date()
        let body = Array(#"{"fields": {"first_name": "Ann"}}"#.utf8)
        _ = try await store.submitForm(tool: "news-popup", fields: Self.fields, consent: nil, body: body, token: Self.token(2), now: now)
        _ = try await store.submitForm(tool: "news-popup", fields: Self.fields, consent: nil, body: body, token: Self.token(3), now: now)
        let later = now.addingTimeInterval(HeraldStore.optInLifetime + 1)
        try await Self.start(store, user: "10", payload: "popup_form--" + Self.token(2).text, key: "u4", now: later)
        #expect(try await Self.detail(store, "10")["name"] == "TelegramName")
        #expect(try await store.purgeExpiredOptIns(now: now) == 0)
        #expect(try await store.purgeExpiredOptIns(now: later) == 2)
    }

    @Test func rejectionsAndHoneypots_storeNothing_butAreCounted() async throws {
        let store = try HeraldStore.inMemory()
        _ = try store.accept(text: Self.form, receipt: "r1", decoder: Self.decoder)
        let now = Date()
        let bad = try await store.submitForm(tool: "news-popup", fields: Self.fields, consent: nil, body: Array(#"{"fields": {}}"#.utf8), token: Self.token(4), now: now)
        #expect(bad == .rejected([FormSubmission.Problem(field: "first_name", message: "Please fill this in.")]))
        let bot = try await store.submitForm(tool: "news-popup", fields: Self.fields, consent: nil, body: Array(#"{"fields": {"first_name": "Bot"}, "url": "x"}"#.utf8), token: Self.token(5), now: now)
        #expect(bot == .honeypot(Self.token(5)))
        try await Self.start(store, user: "11", payload: "popup_form--" + Self.token(5).text, key: "u5", now: now)
        #expect(try await Self.detail(store, "11")["name"] == "TelegramName")
        let day = String(ISO8601DateFormatter().string(from: now).prefix(10))
        let report = try await store.growthReport(from: day, to: day)
        let tool = try #require(report.tools.first)
        #expect(tool.submissions == 0 && tool.rejected == 1 && tool.honeypots == 1 && tool.subscribed == 1 && tool.claimed == 0)
        #expect(try await store.purgeExpiredOptIns(now: now.addingTimeInterval(7200)) == 0)
    }

    @Test func theGrowthReport_countsViewsSubmissionsAndNewSubscribers_perToolAndSource() async throws {
        let store = try HeraldStore.inMemory()
        _ = try store.accept(text: Self.form, receipt: "r1", decoder: Self.decoder)
        _ = try store.accept(text: #"{"type": "growth_tool", "action": "create", "name": "counter-qr", "kind": "code", "accounts": ["shop_bot"]}"#, receipt: "r2", decoder: Self.decoder)
        let now = Date()
        for _ in 0..<10 { try await store.countGrowthView(tool: "news-popup", human: true, now: now) }
        for _ in 0..<3 { try await store.countGrowthView(tool: "news-popup", human: false, now: now) }
        for (index, byte) in [UInt8(20), 21, 22, 23].enumerated() {
            _ = try await store.submitForm(tool: "news-popup", fields: Self.fields, consent: nil, body: Array(#"{"fields": {"first_name": "P\#(index)"}}"#.utf8), token: Self.token(byte), now: now)
        }
        try await Self.start(store, user: "20", payload: "popup_form--" + Self.token(20).text, key: "a", now: now)
        try await Self.start(store, user: "21", payload: "popup_form--" + Self.token(21).text, key: "b", now: now)
        try await Self.start(store, user: "22", payload: "counter_qr", key: "c", now: now)
        try await Self.start(store, user: "23", payload: "counter_qr", key: "d", now: now)
        try await Self.start(store, user: "24", payload: "counter_qr", key: "e", now: now)
        let day = String(ISO8601DateFormatter().string(from: now).prefix(10))
        let report = try await store.growthReport(from: day, to: day)
        #expect(report.tools.map(\.name) == ["counter-qr", "news-popup"])
        let popup = report.tools[1], code = report.tools[0]
        #expect(popup.views == 10 && popup.botViews == 3 && popup.submissions == 4 && popup.subscribed == 2 && popup.claimed == 2)
        #expect(popup.conversion == 0.2 && popup.submissionRate == 0.4 && popup.completion == 0.5)
        #expect(code.subscribed == 3 && code.conversion == nil && code.source == "counter_qr")
        #expect(report.sources == [GrowthReport.Source(source: "counter_qr", subscribed: 3, still: 3), GrowthReport.Source(source: "popup_form", subscribed: 2, still: 2)])
        #expect(report.json.contains(#""views":10,"bot_views":3,"submissions":4"#), "\(report.json)")
        #expect(report.json.contains(#""conversion":0.2000"#))
        #expect(report.csv.contains("popup_form,news-popup,popup_form,10,3,4,2,2,,0.2000"), "\(report.csv)")
        #expect(report.table.contains("news-popup"))
        let html = report.html(generatedAt: now.millisecondsSince1970)
        #expect(html.contains(#"data-label="submitted" data-value="4""#))
        // A day with nothing: zeros, the tools still listed.
        let empty = try await store.growthReport(from: "2020-01-01", to: "2020-01-01")
        #expect(empty.tools.map(\.views) == [0, 0] && empty.sources.isEmpty)
        // Forgetting a person keeps every figure but "still subscribed": Herald can no longer reach them.
        #expect(try await store.forget(account: "shop_bot", platformID: "20", now: now) != nil)
        let after = try await store.growthReport(from: day, to: day)
        #expect(after.tools == report.tools)
        #expect(after.sources.map(\.subscribed) == [3, 2] && after.sources.map(\.still) == [3, 1])
    }

    @Test func forget_erasesThePerson_keepsTheCounts_andSkipsWhatWaitsForThem() async throws {
        let store = try HeraldStore.inMemory()
        _ = try store.accept(text: Self.form, receipt: "r1", decoder: Self.decoder)
        let now = Date()
        _ = try await store.submitForm(tool: "news-popup", fields: Self.fields, consent: Self.consent, body: Array(#"{"fields": {"first_name": "Zoë", "email": "z@example.com"}, "consent": true}"#.utf8), token: Self.token(30), now: now)
        try await Self.start(store, user: "555000111", payload: "popup_form--" + Self.token(30).text, key: "f", now: now)
        _ = try store.accept(text: #"{"type": "campaign", "account": "shop_bot", "audience": {"subscribers": ["555000111"]}, "send_at": ""# + ISO8601DateFormatter().string(from: now.addingTimeInterval(30 * 86_400)) + #"", "message": {"modules": [{"type": "text", "text": "Hi {{first_name}}"}]}}"#, receipt: "r2", decoder: Self.decoder)
        // Processed updates that name them, and one that names someone whose id merely starts with theirs.
        try await store.appendInbound([
            InboundBody(platform: .telegram, account: "shop_bot", body: Array(#"{"update_id":1,"message":{"from":{"id":555000111,"first_name":"Zoë"}}}"#.utf8)),
            InboundBody(platform: .telegram, account: "shop_bot", body: Array(#"{"update_id":2,"message":{"chat":{"id":555000111}}}"#.utf8)),
            InboundBody(platform: .telegram, account: "shop_bot", body: Array(#"{"update_id":3,"message":{"from":{"id":5550001112,"first_name":"Other"}}}"#.utf8)),
        ], now: now)
        let records = try await store.unprocessedInbound(limit: 10)
        _ = try await store.applyInbound(records.map { ParsedInbound(recordID: $0.id, events: []) }, automations: [:], platforms: Self.platforms, now: now)
        let result = try #require(try await store.forget(account: "shop_bot", platformID: "555000111", now: now))
        #expect(result.consents == 1 && result.formSubmissions == 1 && result.webhookBodies == 2 && result.pendingDeliveries == 1, "\(result)")
        #expect(try await store.subscriberDetail(account: "shop_bot", platformID: "555000111") == nil)
        let audience = try await store.audienceReport(account: "shop_bot", now: now)
        #expect(audience.byStatus == [AudienceReport.Count(label: "unsubscribed", total: 1, now: 0)])
        #expect(audience.bySource.first?.label == "popup_form")
        #expect(try await store.forget(account: "shop_bot", platformID: "555000111", now: now) == nil)
    }
}
