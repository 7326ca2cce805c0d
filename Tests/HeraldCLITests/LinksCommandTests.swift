import Foundation
import HeraldTesting
import Testing

/// `herald links`: every growth source's link, and QR codes that a scanner (zbarimg) reads back as that link.
@Suite struct LinksCommandTests {
    static let zbarimg = "/usr/bin/zbarimg"

    /// What a QR scanner reads in a PNG.
    static func scan(_ path: String) async throws -> String {
        try await runCommandOffPool(["-q", "--raw", path], executable: zbarimg).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: zbarimg)))
    func messengerLinks_forEverySource_withCodesThatScanBackToThem() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try workspace.writeConfig(accounts: """
            [accounts.shop_page]
            platform = "messenger"
            page_id = "100000000000001"
            page_name = "shopexample"
            """)
        let out = workspace.root + "/qr"
        let result = try await runCommandOffPool(["links", "--config", workspace.config, "shop_page", "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        #expect(lines.map { $0[0] } == ["website_button", "popup_form", "facebook_page_button", "facebook_page_image", "qr_code"])
        for line in lines {
            #expect(line[1] == "https://m.me/shopexample?ref=\(line[0])")
            #expect(try await Self.scan(line[3]) == line[1])
            let svg = try String(contentsOfFile: line[2], encoding: .utf8)
            #expect(svg.contains("<svg") && svg.contains("</svg>"))
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: zbarimg)))
    func telegramLinks_askGetMeForTheUsername_andCheckThePayloadAlphabet() async throws {
        let server = try PlatformServer()
        let workspace = try Workspace()
        defer { workspace.remove() }
        try workspace.configureBot(baseURL: server.baseURL, token: PlatformServer.telegramToken)
        let out = workspace.root + "/qr"
        let one = try await runCommandOffPool(["links", "--config", workspace.config, "shop_bot", "--source", "spring_flyer-2026", "--out", out])
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stdout.hasPrefix("spring_flyer-2026\thttps://t.me/shop_test_bot?start=spring_flyer-2026\t"))
        #expect(try await Self.scan(out + "/shop_bot-spring_flyer-2026.png") == "https://t.me/shop_test_bot?start=spring_flyer-2026")
        for bad in ["has space", "ünïcode", String(repeating: "a", count: 65), ""] {
            let refused = try await runCommandOffPool(["links", "--config", workspace.config, "shop_bot", "--source", bad, "--no-qr"])
            #expect(refused.status == 64 && refused.stderr.contains("--source"), "\(bad): \(refused.stderr)")
        }
        let unknown = try await runCommandOffPool(["links", "--config", workspace.config, "nobody"])
        #expect(unknown.status == 64 && unknown.stderr.contains("no account nobody"))
    }
}
