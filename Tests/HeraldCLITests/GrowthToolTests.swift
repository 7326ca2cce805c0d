import Foundation
import FoundationNetworking
import Glibc
import HeraldCore
import HeraldTesting
import Testing

/// Growth tools as a site owner uses them: a growth_tool job, `herald growth snippet`, the script and landing
/// page served by the daemon, checked in a real headless Chromium; hostile configurations refused at intake.
@Suite(.serialized) struct GrowthToolTests {
    static func workspace(port: Int) throws -> Workspace {
        let workspace = try Workspace(accounts: "")
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
            [accounts.shop_page]
            platform = "messenger"
            page_id = "100000000000001"
            """
        try Data(text.utf8).write(to: URL(fileURLWithPath: workspace.config))
        return workspace
    }

    @Test func websiteButtonAndLandingPage_workInARealBrowser_andTheSnippetIsWhatToPaste() async throws {
        let port = try FreePort.take()
        let workspace = try Self.workspace(port: port)
        defer { workspace.remove() }
        let daemon = try DaemonProcess(workspace)
        defer { daemon.signal(SIGKILL) }
        let example = try String(contentsOf: packageRoot.appendingPathComponent("spool/examples/growth-button.json"), encoding: .utf8)
        try workspace.drop(example, as: "growth.json")
        let base = "http://127.0.0.1:\(port)"
        #expect(await waitUntil(timeout: 20) { workspace.names("done").count == 1 })
        let snippet = try await runCommandOffPool(["growth", "snippet", "spring-button", "--config", workspace.config])
        #expect(snippet.status == 0, "\(snippet.stderr)")
        #expect(snippet.stdout.contains("<script src=\"\(base)/g/spring-button.js\"></script>"), "\(snippet.stdout)")
        #expect(snippet.stdout.contains("<noscript>\n<a href=\"https://m.me/100000000000001?ref=website_button\""), "\(snippet.stdout)")
        #expect(snippet.stdout.contains("href=\"https://t.me/shop_test_bot?start=website_button\""))
        let list = try await runCommandOffPool(["growth", "list", "--config", workspace.config])
        #expect(list.stdout.contains("spring-button  website_button  \(base)/s/spring-button"), "\(list.stdout)")

        let script = try await fetch(base + "/g/spring-button.js")
        #expect(script.status == 200)
        #expect(script.headers["Content-Type"] == "text/javascript; charset=utf-8")
        #expect(script.body.utf8.count < 8_000, "the snippet is \(script.body.utf8.count) bytes")
        print("growth snippet: \(script.body.utf8.count) bytes")
        let unknown = try await fetch(base + "/g/nope.js")
        #expect(unknown.status == 404)
        let landing = try await fetch(base + "/s/spring-button")
        #expect(landing.headers["Content-Security-Policy"]?.contains("default-src 'none'") == true)
        // Served from a cache that an update invalidates at once.
        try workspace.drop(#"{"type": "growth_tool", "action": "update", "name": "spring-button", "title": "Deals in your chat"}"#, as: "update.json")
        #expect(await waitUntil(timeout: 20) { workspace.names("done").count == 2 })
        #expect(try await fetch(base + "/s/spring-button").body == landing.body)
        try workspace.drop(#"{"type": "growth_tool", "action": "update", "name": "spring-button", "title": "Summer deals"}"#, as: "retitle.json")
        #expect(await waitUntil(timeout: 20) { workspace.names("done").count == 3 })
        #expect(try await fetch(base + "/s/spring-button").body.contains("<h1>Summer deals</h1>"))
        try workspace.drop(#"{"type": "growth_tool", "action": "update", "name": "spring-button", "title": "Deals in your chat"}"#, as: "back.json")
        #expect(await waitUntil(timeout: 20) { workspace.names("done").count == 4 })

        guard DemoCommandTests.hasBrowser else { return }
        let browser = try await runCommandOffPool(
            ["python3", packageRoot.path + "/Tests/Browser/check_growth.py", workspace.root, base, "spring-button",
             "https://m.me/100000000000001?ref=website_button", "https://t.me/shop_test_bot?start=website_button"],
            executable: "/usr/bin/env", timeout: 90
        )
        #expect(browser.status == 0, "\(browser.stdout)\(browser.stderr)")
        #expect(browser.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("ok ") }.count == 16, "\(browser.stdout)")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: LinksCommandTests.zbarimg), "needs zbarimg"))
    func pageImage_isASquarePNGWhoseCodeScansBackToTheLink() async throws {
        let port = try FreePort.take()
        let workspace = try Self.workspace(port: port)
        defer { workspace.remove() }
        let daemon = try DaemonProcess(workspace)
        defer { daemon.signal(SIGKILL) }
        let job = ##"{"type": "growth_tool", "action": "create", "name": "page-post", "kind": "page_image", "accounts": ["shop_page"], "source": "facebook_page_image", "title": "Deals every Friday, straight to your Messenger", "text": "Scan me, or tap the post", "colors": {"background": "#1b5e20", "text": "#ffffff"}}"##
        try workspace.drop(job, as: "image.json")
        #expect(await waitUntil(timeout: 20) { workspace.names("done").count == 1 })
        let out = workspace.root + "/page-post.png"
        let result = try await runCommandOffPool(["growth", "image", "page-post", "--out", out, "--config", workspace.config])
        #expect(result.status == 0, "\(result.stderr)")
        let png = try Data(contentsOf: URL(fileURLWithPath: out))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        // IHDR: width and height, big-endian, at bytes 16 and 20.
        let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 1080 && height == 1080)
        #expect(try await LinksCommandTests.scan(out) == "https://m.me/100000000000001?ref=facebook_page_image")
        let missing = try await runCommandOffPool(["growth", "image", "nope", "--out", out, "--config", workspace.config])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no growth tool named \"nope\""))
        // A page_button tool's link for the Page's call-to-action button, and its code, from herald links --tool
        try workspace.drop(#"{"type": "growth_tool", "action": "create", "name": "page-cta", "kind": "page_button", "accounts": ["shop_page", "shop_bot"], "source": "facebook_page_button"}"#, as: "cta.json")
        #expect(await waitUntil(timeout: 20) { workspace.names("done").count == 2 })
        let links = try await runCommandOffPool(["links", "--tool", "page-cta", "--out", workspace.root + "/codes", "--config", workspace.config])
        #expect(links.status == 0, "\(links.stderr)")
        let rows = links.stdout.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        #expect(rows.map { $0[0] + " " + $0[1] } == ["messenger https://m.me/100000000000001?ref=facebook_page_button", "telegram https://t.me/shop_test_bot?start=facebook_page_button"], "\(links.stdout)")
        #expect(try await LinksCommandTests.scan(workspace.root + "/codes/page-cta-messenger.png") == "https://m.me/100000000000001?ref=facebook_page_button")
        let mixed = try await runCommandOffPool(["links", "shop_page", "--tool", "page-cta", "--config", workspace.config])
        #expect(mixed.status == 64 && mixed.stderr.contains("leave out ACCOUNT and --source"))
    }

    @Test func hostileConfigurations_areRefusedAtIntake() async throws {
        let workspace = try Self.workspace(port: 1)
        defer { workspace.remove() }
        let base = #"{"type": "growth_tool", "action": "create", "name": "t", "kind": "website_button", "accounts": ["shop_bot"]"#
        let cases: [(String, String)] = [
            (base + #", "title": "<script>alert(1)</script>"}"#, "must be plain text"),
            (base + #", "labels": {"telegram": "Open <b>now</b>"}}"#, "must be plain text"),
            (base + #", "text": "see javascript:alert(1)"}"#, "must not contain javascript: URLs"),
            (base + #", "colors": {"background": "red;position:fixed"}}"#, "must be a colour"),
            (base + #", "origins": ["javascript:alert(1)"]}"#, "must be an https origin"),
            (base + #", "origins": ["https://shop.example.com/path"]}"#, "must be an origin"),
            (base + #", "source": "bad source!"}"#, "a source may use only"),
            (#"{"type": "growth_tool", "action": "create", "name": "../x", "kind": "code", "accounts": ["shop_bot"]}"#, "a growth tool's name is"),
            (#"{"type": "growth_tool", "action": "create", "name": "two", "kind": "code", "accounts": ["shop_bot", "shop_bot"]}"#, "one account per platform"),
            (#"{"type": "growth_tool", "action": "create", "name": "form", "kind": "popup_form", "accounts": ["shop_page"]}"#, "a popup_form needs"),
            (#"{"type": "growth_tool", "action": "create", "name": "form", "kind": "popup_form", "accounts": ["shop_page"], "fields": [{"type": "email", "label": "E-mail"}]}"#, "a popup_form needs \"origins\""),
            (#"{"type": "growth_tool", "action": "create", "name": "form", "kind": "popup_form", "accounts": ["shop_page"], "fields": [{"type": "email", "label": "E-mail"}], "origins": ["https://a.example"], "source": ""# + String(repeating: "s", count: 41) + #""}"#, "at most 40 characters"),
            (base + #", "source": "spring--sale"}"#, "may not contain \"--\""),
            (base + #", "fields": [{"type": "text", "label": "<i>x</i>", "name": "x"}]}"#, "must be plain text"),
        ]
        for (index, (job, code)) in cases.enumerated() {
            let result = try await runCommandOffPool(["validate", "--config", workspace.config, "-"], input: job)
            #expect(result.status == 1, "case \(index) accepted: \(job)")
            #expect((result.stdout + result.stderr).contains(code), "case \(index): \(result.stdout)\(result.stderr)")
        }
    }

    /// A GET with its status, headers and body, off the cooperative pool.
    func fetch(_ url: String) async throws -> (status: Int, headers: [String: String], body: String) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields { headers["\(key)"] = "\(value)" }
        return (http.statusCode, headers, String(decoding: data, as: UTF8.self))
    }
}
