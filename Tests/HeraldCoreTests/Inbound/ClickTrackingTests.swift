import Foundation
import GRDB
import HeraldCore
import HeraldModel
import HeraldTesting
import Testing

/// Tracked links end to end: a campaign goes out with signed `/c/` links, following one redirects to the
/// stored URL only, and each fetch is recorded with who made it.
@Suite struct ClickTrackingTests {
    static let chrome = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36"

    @Test func trackedLinks_redirectToTheStoredURL_andCountPeopleApartFromBots() async throws {
        let server = try await PlatformServer.start()
        let harness = try DaemonHarness { server.configure(&$0) }
        defer { harness.remove() }
        try await harness.run { parts in
            try harness.drop(try example("subscribers-import.json"), as: "1.json")
            try await eventually { harness.names(in: .done).count == 1 }
            try harness.drop(try example("telegram-campaign.json"), as: "2.json")
            try await eventually(timeout: 20, "campaign completed") { try campaignState(harness, "spring-sale-2026-telegram") == "completed" }
            let links = try server.requests().flatMap { request in request.body.matches(of: #/"url":"http://127\.0\.0\.1:8080(/c/[A-Za-z0-9_-]+)"/#).map { String($0.output.1) } }
            #expect(links.count == 3)
            #expect(Set(links).count == 3, "each recipient's link is its own")
            let client = try await WebhookClient.connect(parts)
            func follow(_ path: String, agent: String?) async -> (status: Int, location: String?) {
                // The client runs off the test's thread pool: the redirect it waits for needs that pool to be answered.
                let port = parts.http.port!
                return await withCheckedContinuation { continuation in
                    DispatchQueue.global().async { continuation.resume(returning: (try? Self.rawGet(port: port, path: path, agent: agent)) ?? (0, nil)) }
                }
            }
            let stored = try harness.query { try String.fetchAll($0, sql: "SELECT url FROM campaign_links") }
            #expect(stored == ["https://shop.example.com/spring?utm_source=telegram"])
            #expect(await follow(links[0], agent: Self.chrome) == (302, stored[0]))
            #expect(await follow(links[1], agent: "TelegramBot (like TwitterBot)").status == 302)
            #expect(await follow(links[1], agent: "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)").status == 302)
            #expect(await follow(links[2], agent: "curl/8.5.0").status == 302)
            #expect(await follow(links[2], agent: nil).status == 302)
            // Forged, tampered, signed with another key, or pointing at a link the campaign does not have: 404.
            let token = String(links[0].dropFirst(3))
            let flipped = String(token.dropLast()) + (token.last == "A" ? "B" : "A")
            let key = try Secret.read(path: harness.configuration.stateDirectory + "/click.key", what: "test")
            let ours = ClickToken(key: key), theirs = ClickToken(key: Secret(value: "someone else's key", origin: "test"))
            let campaign = try harness.query { try Int64.fetchOne($0, sql: "SELECT id FROM campaigns") ?? 0 }
            for path in ["/c/" + flipped, "/c/AAAAAAAAAAAAAAAAAAAAAAAAAA", "/c/" + theirs.token(for: ClickTarget(campaignID: campaign, subscriberID: 1, linkIndex: 0)),
                         "/c/" + ours.token(for: ClickTarget(campaignID: campaign, subscriberID: 1, linkIndex: 7)), "/c/" + ours.token(for: ClickTarget(campaignID: 999, subscriberID: 1, linkIndex: 0)),
                         "/c/" + String(repeating: "A", count: 5000), "/c/%2F%2Fevil.example", "/c/..%2F..%2Fetc%2Fpasswd"] {
                #expect(await follow(path, agent: Self.chrome).status == 404, "\(path.prefix(80))")
            }
            #expect(await follow(links[0], agent: Self.chrome) == (302, stored[0]))
            await client.close()
        }
        let agents = try harness.query { db in
            try Row.fetchAll(db, sql: "SELECT json_extract(detail, '$.agent') AS agent, count(*) AS n FROM events WHERE kind = 'click' GROUP BY agent").reduce(into: [String: Int]()) { $0[$1["agent"]] = $1["n"] }
        }
        #expect(agents == ["human": 2, "preview_bot": 2, "unknown": 2])
        #expect(try harness.query { try Int.fetchOne($0, sql: "SELECT count(*) FROM events WHERE kind = 'click' AND delivery_id IS NOT NULL AND campaign_id IS NOT NULL") } == 6)
    }

    /// One GET, redirects not followed: the status and the `Location` header (Python's http.client, so the
    /// answer is read as any client would, not through Herald's own transport).
    static func rawGet(port: Int, path: String, agent: String?) throws -> (Int, String?) {
        let script = """
            import http.client, sys
            c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
            headers = {"User-Agent": sys.argv[3]} if len(sys.argv) > 3 else {"User-Agent": ""}
            c.putrequest("GET", sys.argv[2], skip_accept_encoding=True)
            for k, v in headers.items():
                if v: c.putheader(k, v)
            c.endheaders()
            r = c.getresponse()
            print(r.status, r.getheader("Location") or "")
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, String(port), path] + (agent.map { [$0] } ?? [])
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let words = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ", maxSplits: 1)
        guard let status = words.first.flatMap({ Int($0) }) else { return (0, nil) }
        return (status, words.count > 1 ? String(words[1]) : nil)
    }
}

@Suite struct ClickTokenTests {
    let token = ClickToken(key: Secret(value: "k", origin: "test"))

    @Test func roundTrip_andEveryAlteredByteIsRefused() throws {
        // Payloads of every length modulo 3, so that the last character carries padding bits in some of them.
        for target in [ClickTarget(campaignID: 1, subscriberID: 1, linkIndex: 0), ClickTarget(campaignID: 1, subscriberID: 200, linkIndex: 0),
                       ClickTarget(campaignID: 200, subscriberID: 20_000, linkIndex: 0), ClickTarget(campaignID: Int64.max, subscriberID: 9_000_000_000, linkIndex: 99)] {
            let text = token.token(for: target)
            #expect(text.count <= 40)
            #expect(token.target(of: text) == target)
            var bytes = Array(text.utf8)
            for index in bytes.indices {
                let original = bytes[index]
                bytes[index] = original == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
                #expect(token.target(of: String(decoding: bytes, as: UTF8.self)) == nil || String(decoding: bytes, as: UTF8.self) == text)
                // The padding bits of the last character, too: one token, one spelling.
                if index == bytes.count - 1 {
                    for replacement in Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8) where replacement != original {
                        bytes[index] = replacement
                        #expect(token.target(of: String(decoding: bytes, as: UTF8.self)) == nil)
                    }
                    bytes[index] = original
                }
                bytes[index] = original
            }
        }
        #expect(token.target(of: "") == nil)
        #expect(token.target(of: "!!!!") == nil)
        #expect(token.target(of: String(repeating: "A", count: 65)) == nil)
    }
}
