import Foundation
import Testing
@testable import HeraldModel

struct ReportRenderingTests {
    static func funnel(platform: Platform = .telegram, jobID: String = "spring", name: String? = "Spring") -> CampaignFunnel {
        CampaignFunnel(
            id: 7, jobID: jobID, name: name, account: "shop_bot", platform: platform, state: "completed", audience: 10, sent: 8, reportedDelivered: 6,
            reportedRead: 5, clickedHumans: 2, humanClicks: 3, previewBotFetches: 4, unknownFetches: 1, unsubscribed: 1, pending: 0,
            failed: [.init(reason: "Forbidden: bot was blocked by the user", count: 1)], skipped: [.init(reason: "outside_window", count: 1)],
            startedAt: 1_800_000_000_000, finishedAt: 1_800_000_060_000
        )
    }

    @Test func funnel_onTelegram_deliveredIsSent_andReadIsNotAvailable() {
        let telegram = Self.funnel()
        #expect(telegram.delivered == 8)
        #expect(telegram.read == nil)
        #expect(ReportRendering.listJSON([telegram]).contains(#""read":null"#))
        // On Messenger the receipts count, capped at what was sent
        let messenger = Self.funnel(platform: .messenger)
        #expect(messenger.delivered == 6)
        #expect(messenger.read == 5)
        #expect(messenger.botFetches == 5)
        #expect(abs(messenger.clickThroughRate - 0.25) < 1e-9)
    }

    @Test func detailJSON_hasTheSchemasShape() throws {
        let report = CampaignReport(
            funnel: Self.funnel(platform: .messenger),
            targets: [.init(kind: "link", value: "https://shop.example.com/a?x=1", humans: 2, total: 3, bots: 5), .init(kind: "button", value: "more", humans: 1, total: 1, bots: 0)],
            bucketSeconds: 5, series: [.init(start: 1_800_000_000_000, sent: 8, read: 5, clicks: 3)]
        )
        let object = try #require(try JSONSerialization.jsonObject(with: Data(ReportRendering.detailJSON(report).utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["campaign", "funnel", "links", "buttons", "series_seconds", "series"])
        let campaign = try #require(object["campaign"] as? [String: Any])
        #expect(campaign["started_at"] as? String == "2027-01-15T08:00:00Z")
        let funnel = try #require(object["funnel"] as? [String: Any])
        #expect(funnel["failed"] as? [String: Int] == ["Forbidden: bot was blocked by the user": 1])
        #expect(funnel["clicked"] as? [String: Int] == ["humans": 2, "total": 3, "bots": 5])
        #expect((object["links"] as? [[String: Any]])?.first?["url"] as? String == "https://shop.example.com/a?x=1")
    }

    @Test func csv_quotesWhatNeedsIt_andDisarmsFormulas() {
        let rows = [RecipientRow(platformID: "-1001234567890", name: "=HYPERLINK(\"http://evil.example\",\"x\")", state: "failed", reason: "Bad Request: chat, not found",
                                 attempts: 2, sentAt: nil, deliveredAt: nil, readAt: nil, clicks: 0, possibleDuplicate: true)]
        let text = ReportRendering.recipientsCSV(rows)
        let line = text.split(separator: "\r\n")[1]
        // A negative chat id stays a number; a name that would run as a formula does not
        #expect(line.hasPrefix(#"-1001234567890,"'=HYPERLINK(""http://evil.example"",""x"")",failed,"Bad Request: chat, not found",2,,,,0,1"#))
    }

    @Test func listTable_fitsTheWidth_shorteningTheCampaignColumn() {
        let long = Self.funnel(jobID: String(repeating: "very-long-campaign-name-", count: 4))
        let table = ReportRendering.listTable([long], width: 130)
        #expect(table.split(separator: "\n").allSatisfy { $0.count <= 130 })
        #expect(table.contains("…"))
        #expect(ReportRendering.listTable([]) == "No campaigns yet.")
    }

    @Test func bucketSeconds_givesAtMostSixtyBuckets() {
        #expect(CampaignReport.bucketSeconds(forSpan: 0) == 1)
        #expect(CampaignReport.bucketSeconds(forSpan: 59_000) == 1)
        #expect(CampaignReport.bucketSeconds(forSpan: 3_600_000) == 60)
        #expect(CampaignReport.bucketSeconds(forSpan: 30 * 86_400_000) == 86_400)
    }

    @Test func htmlPage_escapesWhatTheLedgerHolds_andLoadsNothing() {
        var funnel = Self.funnel(name: "<script>alert(1)</script> & \"friends\"")
        funnel.skipped = [.init(reason: "<img src=x onerror=alert(2)>", count: 1)]
        let report = CampaignReport(funnel: funnel, targets: [.init(kind: "link", value: "https://x.example/?a=1&b=\"<", humans: 1, total: 1, bots: 0)], bucketSeconds: 1, series: [])
        let page = ReportHTML.page(report, growth: [(source: "qr_code'><svg onload=alert(3)>", subscribers: 2)], generatedAt: 0)
        #expect(!page.contains("<script"))
        #expect(!page.contains("<img"))
        #expect(!page.contains("onload=alert(3)>"))
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;friends&quot;"))
        #expect(page.contains("https://x.example/?a=1&amp;b=&quot;&lt;"))
        // Self-contained: no link, script or image elements, and no URL it would fetch
        #expect(!page.contains("<link") && !page.contains("src=\""))
        // Telegram's read is n/a, never 0
        #expect(page.contains(#"<tr id="read"><th>Read</th><td class="value">n/a</td>"#))
    }
}

struct QueueShapeTests {
    @Test func add_putsEachAgeInItsDoublingColumn_andTheTableTotalsThem() {
        var shape = QueueShape()
        shape.add(account: "shop_bot", minutes: 0, count: 3)
        shape.add(account: "shop_bot", minutes: 5, count: 2)
        shape.add(account: "shop_page", minutes: 2000, count: 7)
        #expect(shape.rows["shop_bot"] == [3, 2, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(shape.rows["shop_page"]?.last == 7)
        #expect(shape.total == 12)
        let lines = shape.table.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(lines[0] == ["T", "5", "10", "20", "40", "80", "160", "320", "640", "1280", "1280+"])
        #expect(lines[1] == ["TOTAL", "12", "3", "2", "0", "0", "0", "0", "0", "0", "0", "7"])
        // The largest account first
        #expect(lines[2].first == "shop_page")
    }
}
