import Foundation
import GRDB
import HeraldCore
import HeraldTesting
import Testing

/// The HTTP server's webhook doors, end to end: a real daemon, real HTTP over loopback, the SQLite file.
@Suite struct WebhookServerTests {
    static func harness(_ adjust: (inout HeraldCore.Configuration) -> Void = { _ in }) throws -> DaemonHarness {
        try DaemonHarness { configuration in
            configuration.accounts["shop_page"]?.appSecret = Secret(value: WebhookClient.appSecret, origin: "test")
            configuration.accounts["shop_page"]?.verifyToken = Secret(value: WebhookClient.verifyToken, origin: "test")
            configuration.accounts["shop_bot"]?.webhookSecret = Secret(value: WebhookClient.telegramSecret, origin: "test")
            configuration.accounts["shop_bot"]?.updates = .webhook
            adjust(&configuration)
        }
    }

    static func count(_ harness: DaemonHarness, _ sql: String) throws -> Int {
        try harness.query { try Int.fetchOne($0, sql: sql) ?? -1 }
    }

    @Test func messengerVerification_echoesTheChallenge_onlyForOurToken() async throws {
        let harness = try Self.harness()
        defer { harness.remove() }
        try await harness.run { parts in
            let client = try await WebhookClient.connect(parts)
            let good = await client.get("/webhooks/messenger?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=\(WebhookClient.verifyToken)")
            #expect(good.status == 200 && good.body == "1158201444")
            for query in ["hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong", "hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=\(WebhookClient.verifyToken)", "hub.challenge=1", ""] {
                let refused = await client.get("/webhooks/messenger?" + query)
                #expect(refused.status == 403, "\(query)")
                #expect(refused.body.contains("verification_failed"))
            }
            await client.close()
        }
    }

    @Test func signedPost_isStoredAnsweredAndProcessed_getStartedWithItsSource() async throws {
        let harness = try Self.harness()
        defer { harness.remove() }
        try await harness.run { parts in
            let client = try await WebhookClient.connect(parts)
            let answer = await client.messenger(MessengerEvents.body([MessengerEvents.getStarted("5550001", ref: "website_button")]))
            #expect(answer.status == 200 && answer.body == "EVENT_RECEIVED")
            try await eventually("subscriber") { try Self.count(harness, "SELECT count(*) FROM subscribers WHERE platform_id = '5550001' AND status = 'subscribed' AND source = 'website_button'") == 1 }
            try await eventually("processed") { try Self.count(harness, "SELECT count(*) FROM inbound WHERE processed_at IS NOT NULL AND error IS NULL") == 1 }
            #expect(try Self.count(harness, "SELECT count(*) FROM events WHERE kind = 'subscribed' AND detail = '{\"source\":\"website_button\"}'") == 1)
            #expect(try Self.count(harness, "SELECT count(*) FROM subscribers WHERE last_inbound_at IS NOT NULL") == 1)
            await client.close()
        }
    }

    @Test func forgedUnsignedAndWronglySignedPosts_areRefused_andNothingIsRecorded() async throws {
        let harness = try Self.harness()
        defer { harness.remove() }
        try await harness.run { parts in
            let client = try await WebhookClient.connect(parts)
            let body = MessengerEvents.body([MessengerEvents.getStarted("5550002")])
            #expect(await client.messenger(body, secret: nil).status == 403)
            #expect(await client.messenger(body, secret: "another-apps-secret").status == 403)
            // A signature of a different body (a replayed header on a tampered body).
            let header = WebhookSignature.header(for: Array(body.utf8), secret: WebhookClient.appSecret)
            let tampered = body.replacingOccurrences(of: "5550002", with: "5550003")
            #expect(await client.post("/webhooks/messenger", tampered, headers: ["X-Hub-Signature-256: " + header]).status == 403)
            for bad in ["sha256=", "sha256=zz", "sha1=" + String(repeating: "0", count: 40), String(repeating: "a", count: 64), "sha256=" + String(repeating: "0", count: 64)] {
                #expect(await client.post("/webhooks/messenger", body, headers: ["X-Hub-Signature-256: " + bad]).status == 403, "\(bad)")
            }
            #expect(await client.get("/healthz").status == 200)
            #expect(try Self.count(harness, "SELECT count(*) FROM inbound") == 0)
            #expect(try Self.count(harness, "SELECT count(*) FROM subscribers") == 0)
            await client.close()
        }
    }

    @Test func redeliveredAndBatchedEvents_areAppliedOnce_eachInOrder() async throws {
        let harness = try Self.harness()
        defer { harness.remove() }
        try await harness.run { parts in
            let client = try await WebhookClient.connect(parts)
            let batch = MessengerEvents.body([
                MessengerEvents.getStarted("6000001", ref: "qr_code"), MessengerEvents.text("6000002", "hello", mid: "m_fixed_1"),
                MessengerEvents.text("6000001", "STOP", mid: "m_fixed_2"),
            ])
            for _ in 0..<3 { #expect(await client.messenger(batch).status == 200) }
            try await eventually("processed") { try Self.count(harness, "SELECT count(*) FROM inbound WHERE processed_at IS NOT NULL") == 3 }
            #expect(try Self.count(harness, "SELECT count(*) FROM events WHERE kind = 'subscribed'") == 2)
            #expect(try Self.count(harness, "SELECT count(*) FROM events WHERE kind = 'unsubscribed'") == 1)
            #expect(try Self.count(harness, "SELECT count(*) FROM subscribers WHERE platform_id = '6000001' AND status = 'unsubscribed' AND source = 'qr_code'") == 1)
            #expect(try Self.count(harness, "SELECT count(*) FROM subscribers WHERE platform_id = '6000002' AND status = 'subscribed' AND source = 'first_message'") == 1)
            await client.close()
        }
    }

    @Test func oversizedEmptyAndMalformedBodies_getClearErrors_andTheServerStaysUp() async throws {
        let harness = try Self.harness { $0.http.maxBodyBytes = 4096 }
        defer { harness.remove() }
        try await harness.run { parts in
            let client = try await WebhookClient.connect(parts)
            let huge = MessengerEvents.body([MessengerEvents.text("1", String(repeating: "x", count: 10_000))])
            let tooLarge = await client.messenger(huge)
            #expect(tooLarge.status == 413 && tooLarge.body.contains("body_too_large"))
            #expect(await client.messenger("").status == 400)
            // Signed but not a webhook: stored (the signature vouches for it), then set aside with the reason.
            #expect(await client.messenger("{\"object\":\"page\",\"entry\":[").status == 200)
            #expect(await client.messenger("[1,2,3]").status == 200)
            try await eventually("set aside") { try Self.count(harness, "SELECT count(*) FROM inbound WHERE processed_at IS NOT NULL AND error IS NOT NULL") == 2 }
            #expect(await client.get("/nowhere").status == 404)
            #expect(await client.post("/healthz", "{}").status != 200)
            #expect(await client.get("/healthz").status == 200)
            let ready = await client.get("/readyz")
            #expect(ready.status == 200 && ready.body.contains("ready"))
            // Still processing after the bad bodies.
            #expect(await client.messenger(MessengerEvents.body([MessengerEvents.getStarted("7000001")])).status == 200)
            try await eventually("processed") { try Self.count(harness, "SELECT count(*) FROM subscribers WHERE platform_id = '7000001'") == 1 }
            await client.close()
        }
    }

    @Test func telegramWebhook_checksTheSecret_andAStartPayloadNamesTheSource() async throws {
        let harness = try Self.harness()
        defer { harness.remove() }
        try await harness.run { parts in
            let client = try await WebhookClient.connect(parts)
            let update = #"{"update_id":500,"message":{"message_id":1,"from":{"id":4242,"is_bot":false,"first_name":"Zoë","language_code":"it"},"chat":{"id":4242,"type":"private"},"date":1700000000,"text":"/start popup_form"}}"#
            #expect(await client.telegram(update, secret: nil).status == 403)
            #expect(await client.telegram(update, secret: "wrong").status == 403)
            #expect(await client.telegram(update, account: "nobody").status == 404)
            #expect(await client.telegram(update, account: "shop_page").status == 404)
            #expect(await client.telegram(update).status == 200)
            #expect(await client.telegram(update).status == 200)
            try await eventually("subscriber") { try Self.count(harness, "SELECT count(*) FROM subscribers WHERE platform_id = '4242' AND source = 'popup_form' AND first_name = 'Zoë' AND locale = 'it'") == 1 }
            try await eventually("both processed") { try Self.count(harness, "SELECT count(*) FROM inbound WHERE processed_at IS NOT NULL") == 2 }
            #expect(try Self.count(harness, "SELECT count(*) FROM events WHERE kind = 'subscribed'") == 1)
            await client.close()
        }
    }

    @Test func aClientOverItsRate_isAnswered429_withRetryAfter() async throws {
        // One a second with a burst of two: even a loaded machine asks faster than that (40 requests in 21 s
        // under a parallel build stayed under a rate of 5).
        let harness = try Self.harness { $0.http.requestsPerSecondPerClient = 1 }
        defer { harness.remove() }
        try await harness.run { parts in
            let client = try await WebhookClient.connect(parts)
            var statuses: [Int] = []
            for _ in 0..<40 { statuses.append(await client.get("/healthz").status) }
            #expect(statuses.prefix(2).allSatisfy { $0 == 200 })
            #expect(statuses.contains(429))
            await client.close()
        }
    }

    @Test func aBodyDrippedInSlowly_isAnswered408_withinTheRequestTimeout() async throws {
        let harness = try Self.harness { $0.http.requestTimeoutSeconds = 1 }
        defer { harness.remove() }
        try await harness.run { parts in
            let client = try await WebhookClient.connect(parts)
            let port = parts.http.port!
            // Headers promise 1,000 bytes; 10 arrive, then nothing: the handler waits on the body until its time is up.
            let script = """
                import socket, sys, time
                s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
                s.sendall(b"POST /webhooks/messenger HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 1000\\r\\nX-Hub-Signature-256: sha256=00\\r\\n\\r\\n0123456789")
                started = time.time()
                line = s.recv(100).split(b"\\r\\n")[0].decode()
                print(line, round(time.time() - started, 1))
                """
            let output: String = await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    let result = try? runPython(script, arguments: [String(port)])
                    continuation.resume(returning: result ?? "")
                }
            }
            #expect(output.hasPrefix("HTTP/1.1 408"), "\(output)")
            #expect(await client.get("/healthz").status == 200)
            await client.close()
        }
    }

    @Test func withoutAnAppSecret_messengerPostsAreRefused() async throws {
        let harness = try Self.harness { $0.accounts["shop_page"]?.appSecret = nil }
        defer { harness.remove() }
        try await harness.run { parts in
            let client = try await WebhookClient.connect(parts)
            let answer = await client.messenger(MessengerEvents.body([MessengerEvents.getStarted("1")]))
            #expect(answer.status == 403 && answer.body.contains("no_app_secret"))
            await client.close()
        }
    }
}

/// Runs a Python script, returning what it printed.
func runPython(_ script: String, arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}
