import Foundation
import GRDB
import Testing

struct DemoCommandTests {
    /// Chromium, its driver and Selenium (installed by .ci/run).
    static let hasBrowser = FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
        && (try? runCommand(["python3", "-c", "import selenium"], executable: "/usr/bin/env"))?.status == 0

    @Test func demo_runsEndToEnd_andItsFunnelsAreTheLedgers() async throws {
        // Given a directory to keep, When the demo runs with a small population
        let keep = FileManager.default.temporaryDirectory.appendingPathComponent("herald-demo-test-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: keep) }
        let result = try await runCommandOffPool(["demo", "--people", "20", "--schedule-in", "2", "--keep", keep], timeout: 120)

        // Then it succeeds within the budget, and every campaign completed with nothing left pending
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("Platform limits: no call over any limit"))
        let database = try DatabaseQueue(path: keep + "/state/herald.sqlite")
        let states = try await database.read { try [String: String](uniqueKeysWithValues: Row.fetchAll($0, sql: "SELECT job_id, state FROM campaigns WHERE kind = 'campaign'").map { ($0["job_id"], $0["state"]) }) }
        #expect(states.filter { !$0.key.hasPrefix("feed.") } == ["spring-sale-2026-telegram": "completed", "new-arrivals-messenger": "completed", "demo-scheduled-video": "completed"])
        // The blog post published while the demo ran became one campaign; the posts before it were only remembered.
        #expect(states.filter { $0.key.hasPrefix("feed.shop-blog.") }.values.sorted() == ["completed"])
        #expect(result.stdout.contains("the shop's blog connected as a feed"), "\(result.stdout)")
        let open = try await database.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM deliveries WHERE state IN ('pending', 'sending', 'uncertain')") }
        #expect(open == 0)

        // And each printed funnel says what the ledger says
        for job in states.keys {
            let sent = try await database.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id WHERE c.job_id = ? AND d.state = 'sent'", arguments: [job]) } ?? -1
            #expect(sent > 0)
            let block = result.stdout.components(separatedBy: "[\(job) on").dropFirst().first ?? ""
            #expect(try block.contains(Regex("\n  sent +\(sent) ")), "funnel of \(job) does not show \(sent) sent:\n\(block)")
        }
        // Messenger reports reads through signed webhooks Herald verified; Telegram's read is n/a, never 0
        let reads = try await database.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM events e JOIN campaigns c ON c.id = e.campaign_id WHERE c.job_id = 'new-arrivals-messenger' AND e.kind = 'read'") } ?? 0
        #expect(reads > 0)
        let telegramBlock = result.stdout.components(separatedBy: "[spring-sale-2026-telegram on").dropFirst().first ?? ""
        #expect(telegramBlock.contains(#/\n  read +n\/a/#))
        // People subscribed through the growth sources, which the audience report names
        let sources = try await database.read { try Set(String.fetchAll($0, sql: "SELECT DISTINCT source FROM subscribers")) }
        #expect(sources.isSuperset(of: ["website_button", "qr_code", "popup_form", "facebook_page_button", "facebook_page_image"]))
        #expect(FileManager.default.fileExists(atPath: keep + "/herald.log"))
        // The website's popup form: 40 views by people (6 by a crawler apart), 12 forms, 9 who came with theirs
        #expect(try result.stdout.contains(Regex(#"\nnewsletter-popup +popup_form +newsletter_popup +40 +12 +9 +9 +22\.5%\n"#)), "\(result.stdout)")
        let claimed = try await database.read { try String.fetchAll($0, sql: "SELECT s.fields FROM subscribers s WHERE s.source = 'newsletter_popup' ORDER BY s.id") }
        #expect(claimed.count == 9 && claimed.allSatisfy { $0.contains(#""email":"#) && $0.contains(#""interest":"#) }, "\(claimed)")

        // herald report reads the kept ledger: the list, one campaign in JSON (valid against its schema, equal to
        // the ledger), and one CSV row per recipient
        let config = keep + "/herald.toml"
        try #"[accounts.shop_bot]\#nplatform = "telegram"\#n[accounts.shop_page]\#nplatform = "messenger"\#npage_id = "100000000000001"\#n"#.write(toFile: config, atomically: true, encoding: .utf8)
        let list = try await runCommandOffPool(["report", "--config", config, "--state", keep + "/state"])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(states.keys.allSatisfy { list.stdout.contains(String($0.prefix(11))) }, "\(list.stdout)")
        // Recomputed from the raw rows, the figures are the ones kept as the demo ran
        let rebuilt = try await runCommandOffPool(["report", "--rebuild", "--config", config, "--state", keep + "/state"])
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        #expect(rebuilt.stderr.contains(" campaigns recomputed from the raw deliveries and events in "), "\(rebuilt.stderr)")
        #expect(rebuilt.stdout == list.stdout)
        let json = try await runCommandOffPool(["report", "new-arrivals-messenger", "--format", "json", "--config", config, "--state", keep + "/state"])
        #expect(json.status == 0, "\(json.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let funnel = try #require(report["funnel"] as? [String: Any])
        let ledger = try database.read { db in
            try Row.fetchOne(db, sql: """
                SELECT count(*) AS audience, sum(d.state = 'sent') AS sent, sum(d.read_at IS NOT NULL) AS read,
                       (SELECT count(DISTINCT subscriber_id) FROM events e WHERE e.campaign_id = c.id AND e.kind = 'click' AND coalesce(json_extract(e.detail, '$.agent'), 'human') = 'human') AS clicked
                FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id WHERE c.job_id = 'new-arrivals-messenger'
                """)!
        }
        #expect(funnel["audience"] as? Int == ledger["audience"])
        #expect(funnel["sent"] as? Int == ledger["sent"])
        #expect(funnel["read"] as? Int == ledger["read"])
        #expect((funnel["clicked"] as? [String: Any])?["humans"] as? Int == ledger["clicked"])
        #expect((report["links"] as? [Any])?.count == 3)
        let telegram = try await runCommandOffPool(["report", "spring-sale-2026-telegram", "--format", "json", "--config", config, "--state", keep + "/state"])
        #expect(telegram.stdout.contains(#""read":null"#))
        if JobSchemaTests.hasValidator {
            let check = try await runCommandOffPool(["python3", "-c", """
                import json, sys, jsonschema
                schema = json.load(open(sys.argv[1]))
                jsonschema.Draft202012Validator.check_schema(schema)
                for text in sys.argv[2:]:
                    jsonschema.validate(json.loads(text), schema)
                print("valid")
                """, packageRoot.path + "/spool/report.schema.json", json.stdout, telegram.stdout], executable: "/usr/bin/env")
            #expect(check.stdout.contains("valid"), "\(check.stderr)")
        }
        let recipients = try await runCommandOffPool(["report", "new-arrivals-messenger", "--recipients", "--config", config, "--state", keep + "/state"])
        let lines = recipients.stdout.split(separator: "\r\n")
        #expect(lines.first == "recipient,name,state,reason,attempts,sent_at,delivered_at,read_at,clicks,possible_duplicate")
        #expect(lines.count == (ledger["audience"] as Int) + 1)
        // The HTML report, as a reader sees it in Chromium (Selenium): the figures, four charts, nothing fetched
        let html = try await runCommandOffPool(["report", "new-arrivals-messenger", "--format", "html", "--output", keep + "/report.html", "--config", config, "--state", keep + "/state"])
        #expect(html.status == 0, "\(html.stderr)")
        if DemoCommandTests.hasBrowser {
            let clicked = (funnel["clicked"] as? [String: Any])?["humans"] as? Int ?? -1
            let browser = try await runCommandOffPool(
                ["python3", packageRoot.path + "/Tests/Browser/check_report.py", keep + "/report.html", keep + "/report.png", "\(ledger["sent"] as Int)", "\(ledger["read"] as Int)", "\(clicked)"],
                executable: "/usr/bin/env", timeout: 90
            )
            #expect(browser.status == 0, "\(browser.stdout)\(browser.stderr)")
            #expect(browser.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("ok ") }.count == 11, "\(browser.stdout)")
        }
        // herald subscribers: the audience by status and source equals the ledger, and one subscriber in full
        let audience = try await runCommandOffPool(["subscribers", "--account", "shop_page", "--format", "json", "--config", config, "--state", keep + "/state"])
        #expect(audience.status == 0, "\(audience.stderr)")
        let counts = try #require(try JSONSerialization.jsonObject(with: Data(audience.stdout.utf8)) as? [String: Any])
        let subscribed = try await database.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM subscribers WHERE account = 'shop_page' AND status = 'subscribed'") }
        let everyone = try await database.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM subscribers WHERE account = 'shop_page'") }
        #expect(counts["total"] as? Int == everyone)
        #expect((counts["by_status"] as? [String: Int])?["subscribed"] == subscribed)
        #expect(((counts["by_source"] as? [String: [String: Int]])?.values.map { $0["total"] ?? 0 }.reduce(0, +)) == everyone)
        let someone = try await database.read { try String.fetchOne($0, sql: "SELECT platform_id FROM subscribers WHERE account = 'shop_page' AND source = 'qr_code' LIMIT 1") }
        let show = try await runCommandOffPool(["subscribers", "show", someone ?? "?", "--config", config, "--state", keep + "/state"])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("source                  qr_code"), "\(show.stdout)")
        // They came through a QR code: their subscribed event is among the latest ones
        #expect(try show.stdout.contains(Regex("\nevent +\\S+ subscribed\n")), "\(show.stdout)")
        let nobody = try await runCommandOffPool(["subscribers", "show", "999", "--config", config, "--state", keep + "/state"])
        #expect(nobody.status == 1)
        #expect(nobody.stderr.contains("no subscriber 999"))
        let unknown = try await runCommandOffPool(["report", "nope", "--config", config, "--state", keep + "/state"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no campaign nope (campaigns: spring-sale-2026-telegram, new-arrivals-messenger, demo-scheduled-video, feed.shop-blog."), "\(unknown.stderr)")
    }

    @Test func report_withoutADatabase_saysWhere() async throws {
        let result = try await runCommandOffPool(["report", "--state", "/nonexistent/herald-state"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no database at /nonexistent/herald-state/herald.sqlite"))
    }

    @Test func demo_withBadOptions_saysWhatIsWrong() async throws {
        let result = try await runCommandOffPool(["demo", "--people", "1"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--people must be between 5 and 2000"))
    }
}
