import Foundation
import FoundationNetworking
import Glibc
import HeraldCore
import HeraldTesting
import Testing

/// Popup forms end to end: the daemon serves the form to a shop's page on its own origin, a visitor submits it
/// in a real Chromium, opens the chat link it gives (the simulator's person presses Start), and the subscriber
/// in the database carries the form's fields, consent and the tool as source; every bad submission is refused
/// over real HTTP; the growth report adds it all up.
@Suite(.serialized) struct GrowthFormTests {
    /// A daemon whose Telegram bot and Messenger Page are the simulator's, with its HTTP server on `port`.
    struct Setup {
        let platform: PlatformServer
        let workspace: Workspace
        let daemon: DaemonProcess
        let base: String
        let sitePort: Int

        static func start(trigger: String = #"{"scroll_percent": 50}"#) async throws -> Setup {
            let port = try FreePort.take(), sitePort = try FreePort.take()
            let platform = try await PlatformServer.start(arguments: ["--messenger-webhook", "http://127.0.0.1:\(port)/webhooks/messenger"])
            let workspace = try Workspace(accounts: "")
            for (name, value) in [("bot.token", PlatformServer.telegramToken), ("page.token", PlatformServer.messengerToken), ("app.secret", PlatformServer.appSecret)] {
                try Data((value + "\n").utf8).write(to: URL(fileURLWithPath: workspace.root + "/" + name))
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: workspace.root + "/" + name)
            }
            let text = """
                spool_dir = "\(workspace.spool)"
                state_dir = "\(workspace.state)"
                [spool]
                rescan_seconds = 1
                [http]
                listen = "127.0.0.1:\(port)"
                public_url = "http://127.0.0.1:\(port)"
                [accounts.shop_bot]
                platform = "telegram"
                username = "shop_test_bot"
                token_file = "\(workspace.root)/bot.token"
                api_base_url = "\(platform.baseURL)"
                [accounts.shop_page]
                platform = "messenger"
                page_id = "\(PlatformServer.pageID)"
                token_file = "\(workspace.root)/page.token"
                app_secret_file = "\(workspace.root)/app.secret"
                api_base_url = "\(platform.baseURL)"
                """
            try Data(text.utf8).write(to: URL(fileURLWithPath: workspace.config))
            let daemon = try DaemonProcess(workspace)
            let form = #"{"type": "growth_tool", "action": "create", "name": "news-popup", "kind": "popup_form", "accounts": ["shop_bot", "shop_page"], "source": "popup_form", "title": "Deals in your chat", "fields": [{"type": "first_name", "label": "First name", "required": true}, {"type": "email", "label": "E-mail"}, {"type": "choice", "name": "interest", "label": "I like", "choices": ["Shoes", "Bags"], "required": true}], "consent": {"text": "I agree to offers in chat.", "version": "2026-11"}, "trigger": "# + trigger + #", "origins": ["http://127.0.0.1:"# + "\(sitePort)" + #""]}"#
            try workspace.drop(form, as: "form.json")
            #expect(await waitUntil(timeout: 20) { workspace.names("done").count == 1 }, "\(workspace.names("failed"))")
            #expect(await daemon.httpPort() == port)
            return Setup(platform: platform, workspace: workspace, daemon: daemon, base: "http://127.0.0.1:\(port)", sitePort: sitePort)
        }

        var origin: String { "http://127.0.0.1:\(sitePort)" }

        func remove() {
            daemon.signal(SIGKILL)
            workspace.remove()
        }

        func sql(_ query: String) async throws -> String {
            try await runCommandOffPool(["sqlite3", workspace.state + "/herald.sqlite", query], executable: "/usr/bin/env").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// Whether `query` answers `expected` within `timeout` seconds.
        func sqlBecomes(_ query: String, _ expected: String, timeout: Double = 20) async -> Bool {
            await eventually(timeout: timeout) { (try? await sql(query)) == expected }
        }

        /// A person opens `link` in the simulator and presses Start; their platform id.
        func open(_ link: String, firstName: String = "Visitor") async throws -> String {
            let body = try JSONSerialization.data(withJSONObject: ["url": link, "first_name": firstName])
            let platform = self.platform
            let answer = try JSONSerialization.jsonObject(with: try await offPool { try platform.fetch("/_/open", body: body) }) as? [String: Any]
            return answer?["id"] as? String ?? ""
        }

        func growthReport() async throws -> [String: Any] {
            let result = try await runCommandOffPool(["growth", "report", "--days", "1", "--format", "json", "--config", workspace.config])
            return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        }
    }

    /// A request with its answer, off the cooperative pool.
    static func send(_ method: String, _ url: String, headers: [String: String] = [:], body: String? = nil) async throws -> (status: Int, headers: [String: String], body: String) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body.map { Data($0.utf8) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (key, value) in http.allHeaderFields { fields["\(key)".lowercased()] = "\(value)" }
        return (http.statusCode, fields, String(decoding: data, as: UTF8.self))
    }

    static let valid = #"{"fields": {"first_name": "Ana", "interest": "Shoes"}, "consent": true, "url": ""}"#

    @Test func aVisitorSubmitsInARealBrowser_andArrivesInTheChatWithTheFormsFields() async throws {
        guard DemoCommandTests.hasBrowser else { return }
        let setup = try await Setup.start()
        defer { setup.remove() }
        for (name, trigger) in [("delay-popup", #"{"delay_seconds": 1}"#), ("exit-popup", #"{"exit_intent": true}"#)] {
            try setup.workspace.drop(#"{"type": "growth_tool", "action": "create", "name": ""# + name + #"", "kind": "popup_form", "accounts": ["shop_bot"], "fields": [{"type": "email", "label": "E-mail", "required": true}], "trigger": "# + trigger + #", "origins": [""# + setup.origin + #""]}"#, as: name + ".json")
        }
        #expect(await waitUntil(timeout: 20) { setup.workspace.names("done").count == 3 }, "\(setup.workspace.names("failed"))")
        let script = try await Self.send("GET", setup.base + "/g/news-popup.js")
        #expect(script.status == 200 && script.body.utf8.count < 16_000)
        print("popup form script: \(script.body.utf8.count) bytes")
        let browser = try await runCommandOffPool(
            ["python3", packageRoot.path + "/Tests/Browser/check_popup.py", setup.workspace.root, setup.base, "news-popup", "\(setup.sitePort)",
             "https://m.me/\(PlatformServer.pageID)?ref=popup_form", "https://t.me/shop_test_bot?start=popup_form", "delay-popup", "exit-popup"],
            executable: "/usr/bin/env", timeout: 120
        )
        #expect(browser.status == 0, "\(browser.stdout)\(browser.stderr)")
        let lines = browser.stdout.components(separatedBy: "\n")
        #expect(lines.filter { $0.hasPrefix("ok ") }.count == 34, "\(browser.stdout)")
        let link = try #require(lines.first { $0.hasPrefix("link ") }.map { String($0.dropFirst(5)) })
        if let appear = lines.first(where: { $0.hasPrefix("appear_ms ") }) { print("popup \(appear) after its trigger") }

        // The visitor opens the chat from the popup and presses Start (the simulator's person, with another name).
        let id = try await setup.open(link, firstName: "TelegramName")
        #expect(await setup.sqlBecomes("SELECT count(*) FROM events WHERE kind = 'form_claimed'", "1"))
        let show = try await runCommandOffPool(["subscribers", "show", id, "--account", "shop_bot", "--config", setup.workspace.config])
        #expect(show.stdout.contains("source                  popup_form"), "\(show.stdout)")
        #expect(show.stdout.contains("name                    Zoë"), "\(show.stdout)")
        #expect(show.stdout.contains(#"fields                  {"email":"zoe@example.com","interest":"Bags"}"#), "\(show.stdout)")
        #expect(show.stdout.contains("consent                 news-popup, version 2026-11, at "), "\(show.stdout)")
        #expect(show.stdout.contains("I agree to offers in chat."))

        // A headless browser's view is not a person's.
        let headless = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36"
        #expect(try await Self.send("POST", setup.base + "/g/news-popup/view", headers: ["Origin": setup.origin, "User-Agent": headless]).status == 204)
        let report = try await setup.growthReport()
        let tool = try #require((report["tools"] as? [[String: Any]])?.first { $0["name"] as? String == "news-popup" })
        // Three openings (closed by Esc, by the backdrop, then submitted); one submission; one subscriber who brought it.
        #expect(tool["views"] as? Int == 3, "\(tool)")
        #expect(tool["bot_views"] as? Int == 1, "\(tool)")
        #expect(tool["submissions"] as? Int == 1 && tool["subscribed"] as? Int == 1 && tool["subscribed_with_form"] as? Int == 1, "\(tool)")
        #expect(tool["conversion"] as? Double == 0.3333, "\(tool)")
        let html = setup.workspace.root + "/growth.html"
        let written = try await runCommandOffPool(["growth", "report", "--days", "1", "--format", "html", "--output", html, "--config", setup.workspace.config])
        #expect(written.status == 0, "\(written.stderr)")
        let page = try await runCommandOffPool(
            ["python3", packageRoot.path + "/Tests/Browser/check_growth_report.py", html, "news-popup", "3", "1", "1", "popup_form"], executable: "/usr/bin/env", timeout: 60
        )
        #expect(page.status == 0 && page.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("ok ") }.count == 6, "\(page.stdout)\(page.stderr)")
        let table = try await runCommandOffPool(["growth", "report", "--days", "1", "--config", setup.workspace.config])
        #expect(table.stdout.contains("news-popup"), "\(table.stdout)")
        let csv = try await runCommandOffPool(["growth", "report", "--days", "1", "--format", "csv", "--config", setup.workspace.config])
        #expect(csv.stdout.contains("popup_form,news-popup,popup_form,3,1,1,1,1,,0.3333"), "\(csv.stdout)")
    }

    @Test func everyBadSubmission_isRefused_andForgedOrReplayedTokensBringNoFields() async throws {
        let setup = try await Setup.start()
        defer { setup.remove() }
        let submit = setup.base + "/g/news-popup/submit"
        let json = ["Origin": setup.origin, "Content-Type": "text/plain;charset=UTF-8", "X-Forwarded-For": "198.51.100.1"]

        let preflight = try await Self.send("OPTIONS", submit, headers: ["Origin": setup.origin, "Access-Control-Request-Method": "POST"])
        #expect(preflight.status == 204 && preflight.headers["access-control-allow-origin"] == setup.origin)
        let strangers = try await Self.send("OPTIONS", submit, headers: ["Origin": "https://evil.example"])
        #expect(strangers.status == 403 && strangers.headers["access-control-allow-origin"] == nil)
        let wrongOrigin = try await Self.send("POST", submit, headers: ["Origin": "https://evil.example", "Content-Type": "text/plain"], body: Self.valid)
        #expect(wrongOrigin.status == 403 && wrongOrigin.body.contains("origin_not_allowed"))
        let noOrigin = try await Self.send("POST", submit, headers: ["Content-Type": "text/plain"], body: Self.valid)
        #expect(noOrigin.status == 403)
        let oversized = try await Self.send("POST", submit, headers: json.merging(["X-Forwarded-For": "198.51.100.2"]) { $1 }, body: String(repeating: "x", count: 9_000))
        #expect(oversized.status == 413 && oversized.headers["access-control-allow-origin"] == setup.origin, "\(oversized)")
        let malformed = try await Self.send("POST", submit, headers: json.merging(["X-Forwarded-For": "198.51.100.3"]) { $1 }, body: #"{"fields": {"first_name": "#)
        #expect(malformed.status == 422 && malformed.body.contains("the submission is not a JSON object"), "\(malformed)")
        let invalid = try await Self.send("POST", submit, headers: json.merging(["X-Forwarded-For": "198.51.100.4"]) { $1 }, body: #"{"fields": {"first_name": "Ana", "interest": "Hats"}}"#)
        #expect(invalid.status == 422 && invalid.body.contains(#""field":"interest""#) && invalid.body.contains(#""field":"consent""#), "\(invalid)")
        let form = try await Self.send("POST", submit, headers: json.merging(["X-Forwarded-For": "198.51.100.5", "Content-Type": "application/x-www-form-urlencoded"]) { $1 }, body: "a=b")
        #expect(form.status == 415)
        let honeypot = try await Self.send("POST", submit, headers: json.merging(["X-Forwarded-For": "198.51.100.6"]) { $1 }, body: #"{"fields": {"first_name": "Bot", "interest": "Shoes"}, "consent": true, "url": "http://spam.example"}"#)
        #expect(honeypot.status == 200 && honeypot.body.contains(#""token""#), "\(honeypot)")
        #expect(try await setup.sql("SELECT count(*) FROM growth_optins") == "0")
        #expect(honeypot.headers["set-cookie"] == nil)

        // A burst from one client: five pass, the sixth waits.
        var statuses: [Int] = []
        for _ in 0..<6 { statuses.append(try await Self.send("POST", submit, headers: json, body: Self.valid).status) }
        #expect(statuses == [200, 200, 200, 200, 200, 429], "\(statuses)")
        #expect(try await setup.sql("SELECT count(*) FROM growth_optins") == "5")

        // The first submission's token, used on Messenger; then replayed by someone else on Telegram; and a forged one.
        let accepted = try await Self.send("POST", submit, headers: json.merging(["X-Forwarded-For": "198.51.100.7"]) { $1 }, body: #"{"fields": {"first_name": "Ana", "email": "ana@example.com", "interest": "Shoes"}, "consent": true}"#)
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(accepted.body.utf8)) as? [String: Any])
        let token = try #require(answer["token"] as? String)
        let links = try #require(answer["links"] as? [[String: Any]])
        #expect(links.compactMap { $0["url"] as? String } == [
            "https://m.me/\(PlatformServer.pageID)?ref=popup_form--\(token)", "https://t.me/shop_test_bot?start=popup_form--\(token)",
        ])
        let psid = try await setup.open(links[0]["url"] as! String)
        #expect(await setup.sqlBecomes("SELECT count(*) FROM events WHERE kind = 'form_claimed'", "1"))
        let replayer = try await setup.open(links[1]["url"] as! String)
        let forger = try await setup.open("https://t.me/shop_test_bot?start=popup_form--AAAAAAAAAAAAAAAAAAAAAA")
        #expect(await setup.sqlBecomes("SELECT count(*) FROM events WHERE kind = 'form_claimed'", "3"))
        #expect(try await setup.sql("SELECT platform_id, source, first_name, fields FROM subscribers ORDER BY id") == """
            \(psid)|popup_form|Ana|{"email":"ana@example.com","interest":"Shoes"}
            \(replayer)|popup_form|Visitor|{}
            \(forger)|popup_form|Visitor|{}
            """)
        #expect(try await setup.sql("SELECT json_extract(detail, '$.outcome') FROM events WHERE kind = 'form_claimed' ORDER BY id") == "claimed\nreused\nunknown")
        #expect(try await setup.sql("SELECT count(*) FROM subscriber_consents") == "1")
        // The landing page counts its own views: a person's, not a prefetch's or a link preview's.
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
        #expect(try await Self.send("GET", setup.base + "/s/news-popup", headers: ["User-Agent": chrome]).status == 200)
        #expect(try await Self.send("GET", setup.base + "/s/news-popup", headers: ["User-Agent": chrome, "Sec-Purpose": "prefetch"]).status == 200)
        #expect(try await Self.send("GET", setup.base + "/s/news-popup", headers: ["User-Agent": "facebookexternalhit/1.1"]).status == 200)
        #expect(try await setup.sql("SELECT name || ':' || n FROM growth_counts WHERE name IN ('view', 'bot_view') ORDER BY name") == "bot_view:2\nview:1")
        // Views from another site are not the tool's.
        #expect(try await Self.send("POST", setup.base + "/g/news-popup/view", headers: ["Origin": "https://evil.example", "User-Agent": chrome]).status == 403)
        // The script goes gzip-compressed to clients that take it, and as it is to the others.
        let raw = setup.workspace.root + "/popup.js.gz"
        let gzipped = try await runCommandOffPool(["-s", "-H", "Accept-Encoding: gzip", "-D", "-", "-o", raw, setup.base + "/g/news-popup.js"], executable: "/usr/bin/curl")
        #expect(gzipped.stdout.lowercased().contains("content-encoding: gzip") && gzipped.stdout.lowercased().contains("vary: accept-encoding"), "\(gzipped.stdout)")
        let plain = try await runCommandOffPool(["-s", "-H", "Accept-Encoding: identity", setup.base + "/g/news-popup.js"], executable: "/usr/bin/curl").stdout
        let unzipped = try await runCommandOffPool(["-dc", raw], executable: "/usr/bin/gzip").stdout
        let size = (try FileManager.default.attributesOfItem(atPath: raw)[.size] as? Int) ?? 0
        #expect(unzipped == plain && plain.contains("Herald growth tool news-popup: popup form") && size < plain.utf8.count / 2, "\(size) of \(plain.utf8.count)")
        print("popup form script: \(plain.utf8.count) bytes, \(size) gzipped")
        let qr = try await Self.send("GET", setup.base + "/g/news-popup/qr/telegram.svg?token=" + token)
        #expect(qr.status == 200 && qr.headers["cache-control"] == "private, no-store")
        #expect(try await Self.send("GET", setup.base + "/g/news-popup/qr/telegram.svg?token=../../x").status == 400)

        // Forgetting the one who brought the form erases what they typed; the report keeps its numbers.
        let before = try await setup.growthReport()
        let forget = try await runCommandOffPool(["subscribers", "forget", psid, "--account", "shop_page", "--config", setup.workspace.config])
        #expect(forget.status == 0, "\(forget.stderr)")
        #expect(forget.stdout.contains("1 consents, 1 form submissions"), "\(forget.stdout)")
        #expect(try await setup.sql("SELECT count(*) FROM subscribers WHERE first_name = 'Ana' OR fields LIKE '%ana@%' OR platform_id = '\(psid)'") == "0")
        #expect(try await setup.sql("SELECT count(*) FROM inbound WHERE instr(CAST(body AS TEXT), '\(psid)') > 0 AND processed_at IS NOT NULL") == "0")
        let after = try await setup.growthReport()
        #expect((before["tools"] as? [[String: Any]])?.first?["subscribed"] as? Int == 3)
        #expect((after["tools"] as? [[String: Any]])?.first?["subscribed"] as? Int == 3)
        #expect((after["tools"] as? [[String: Any]])?.first?["submissions"] as? Int == 6)
        let missing = try await runCommandOffPool(["subscribers", "forget", psid, "--config", setup.workspace.config])
        #expect(missing.status == 1 && missing.stderr.contains("no subscriber"))
    }
}
