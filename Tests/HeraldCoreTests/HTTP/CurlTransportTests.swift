import Foundation
import HeraldCore
import HeraldModel
import HeraldTesting
import Logging
import ServiceLifecycle
import Testing

@Suite struct CurlTransportTests {
    let body = Array(#"{"chat_id":1,"text":"hi"}"#.utf8)

    @Test func send_manyConcurrentRequestsOnOneThread() async throws {
        let server = try await PlatformServer.start(arguments: ["--latency-ms", "500"])
        let transport = try CurlTransport(maxConnections: 64, timeout: .seconds(10))
        let url = "\(server.baseURL)/bot\(PlatformServer.telegramToken)/sendMessage"
        let started = Date()
        // 64 requests with 500 ms of server latency each: concurrent, they take about half a second; one by one, 32 s
        let statuses = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<64 {
                group.addTask {
                    if case .response(let status, _) = await transport.send(HTTPRequest(url: url, body: body)) { return status }
                    return 0
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 64))
        #expect(Date().timeIntervalSince(started) < 15)
        await transport.shutdown()
    }

    @Test func thread_startsWithTheServiceOrTheFirstRequest_neverInInit() async throws {
        let server = try await PlatformServer.start()
        let idle = try CurlTransport()
        #expect(!idle.isStarted)
        // A transport that never ran shuts down at once, without a thread
        await idle.shutdown()
        #expect(idle.isStarted == true)  // claimed, so no thread can start after the shutdown
        // Run as the daemon runs it: started by its service, stopped when the group shuts down
        let transport = try CurlTransport()
        #expect(!transport.isStarted)
        let group = ServiceGroup(services: [TransportService(transport)], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await eventually("curl thread started") { transport.isStarted }
            let result = await transport.send(HTTPRequest(url: "\(server.baseURL)/bot\(PlatformServer.telegramToken)/sendMessage", body: body))
            if case .response(let status, _) = result { #expect(status == 200) } else { Issue.record("\(result)") }
            // The thread carries its name to the kernel, where `top -H` reads it
            let names = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").compactMap { task in
                try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            #expect(names.contains("herald-curl"), "\(names)")
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        // Shut down, it refuses new requests instead of hanging
        let after = await transport.send(HTTPRequest(url: "\(server.baseURL)/x", body: body))
        #expect(after == .failure(reason: "transport is shut down", requestSent: false))
    }

    @Test func send_whenTheAnswerTimesOut_saysTheRequestWasSent() async throws {
        let server = try await PlatformServer.start(arguments: ["--latency-ms", "3000"])
        let transport = try CurlTransport(maxConnections: 4, timeout: .seconds(1))
        let result = await transport.send(HTTPRequest(url: "\(server.baseURL)/bot\(PlatformServer.telegramToken)/sendMessage", body: body))
        guard case .failure(let reason, let sent) = result else { Issue.record("expected a failure, got \(result)"); return }
        #expect(sent, "a timed-out answer must count as possibly delivered")
        #expect(reason.contains("Timeout") || reason.contains("timed out"))
        await transport.shutdown()
    }

    /// Script status 0: the platform acts on the request, and the connection dies after the answer's head;
    /// -1: it closes before a byte of the answer, the case in which libcurl would resend on a fresh connection.
    @Test(arguments: [0, -1])
    func send_whenAReusedConnectionDiesAfterTakingTheRequest_reportsItSentAndDoesNotResend(death: Int) async throws {
        let server = try await PlatformServer.start()
        let transport = try CurlTransport(maxConnections: 1, timeout: .seconds(5))
        let url = "\(server.baseURL)/bot\(PlatformServer.telegramToken)/sendMessage"
        // Given a kept-alive connection, and a platform that takes the next request for chat 2 and then dies
        let first = await transport.send(HTTPRequest(url: url, body: Array(#"{"chat_id":1,"text":"a"}"#.utf8)))
        guard case .response(200, _) = first else { Issue.record("expected 200, got \(first)"); return }
        try server.script(recipient: "2", status: death, body: "null")
        // When that request goes out on the reused connection
        let result = await transport.send(HTTPRequest(url: url, body: Array(#"{"chat_id":2,"text":"b"}"#.utf8)))
        // Then it fails as possibly delivered, and libcurl did not send it again on a fresh connection (which the
        // platform would have answered): the platform saw it once
        guard case .failure(_, let sent) = result else { Issue.record("expected a failure, got \(result)"); return }
        #expect(sent, "the platform took the request: a retry must be flagged as a possible duplicate")
        #expect(try server.requests().filter { $0.body.contains(#""chat_id":2"#) }.count == 1)
        await transport.shutdown()
    }

    @Test func send_whenCancelledInFlight_returnsAtOnceAsPossiblySent() async throws {
        let server = try await PlatformServer.start(arguments: ["--latency-ms", "60000"])
        let transport = try CurlTransport(maxConnections: 4, timeout: .seconds(30))
        let url = "\(server.baseURL)/bot\(PlatformServer.telegramToken)/sendMessage"
        let task = Task { await transport.send(HTTPRequest(url: url, body: body)) }
        // Once the server has the request (it holds it for a minute), the caller gives up
        try await eventually(timeout: 10, "request received") { try server.requests().count == 1 }
        let cancelled = Date()
        task.cancel()
        let result = await task.value
        // At once means long before the server's minute or the 30 s timeout; the margin is for a loaded CI machine
        #expect(Date().timeIntervalSince(cancelled) < 5)
        #expect(result == .failure(reason: "cancelled while in flight", requestSent: true))
        await transport.shutdown()
    }

    /// The dispatcher bounds when the platform can have counted a call by when its request was written.
    @Test func timedSend_saysHowLongBeforeTheAnswerTheRequestWasWritten() async throws {
        let server = try await PlatformServer.start(arguments: ["--latency-ms", "300"])
        let transport = try CurlTransport(maxConnections: 4, timeout: .seconds(10))
        let url = "\(server.baseURL)/bot\(PlatformServer.telegramToken)/sendMessage"
        let started = Date()
        let (result, written) = await withCheckedContinuation { continuation in
            transport.send(HTTPRequest(url: url, body: body), timedCompletion: { continuation.resume(returning: ($0, $1)) })
        }
        let elapsed = Date().timeIntervalSince(started)
        guard case .response(200, _) = result, let written else { Issue.record("expected an answer with its write time, got \(result), \(String(describing: written))"); return }
        // Written before the server's 300 ms, and never before the call was made
        #expect(written >= 0.29 && written <= elapsed, "written \(written) s before the answer, \(elapsed) s after the call")
        let refused = await withCheckedContinuation { continuation in
            transport.send(HTTPRequest(url: "http://127.0.0.1:9/bot1/sendMessage", body: body), timedCompletion: { continuation.resume(returning: $1) })
        }
        #expect(refused == nil)
        await transport.shutdown()
    }

    @Test func send_whenNothingListens_saysTheRequestNeverLeft() async throws {
        let transport = try CurlTransport(maxConnections: 4, timeout: .seconds(2))
        let result = await transport.send(HTTPRequest(url: "http://127.0.0.1:9/bot1/sendMessage", body: body))
        guard case .failure(_, let sent) = result else { Issue.record("expected a failure, got \(result)"); return }
        #expect(!sent)
        await transport.shutdown()
    }

    @Test func send_whenTheAnswerIsTooLarge_failsInsteadOfBuffering() async throws {
        let server = try await PlatformServer.start()
        let transport = try CurlTransport(maxConnections: 4, timeout: .seconds(5), maxResponseBytes: 16)
        let result = await transport.send(HTTPRequest(url: "\(server.baseURL)/bot\(PlatformServer.telegramToken)/sendMessage", body: body))
        #expect(result == .failure(reason: "response larger than 16 bytes", requestSent: true))
        await transport.shutdown()
    }

    /// A kept handle goes to the next transfer without its options reset when that one has the same options, and
    /// is reset otherwise: sends of growing and shrinking bodies between fetches (a GET that wants the headers and
    /// follows redirects) each go out as asked.
    @Test func reusedHandles_sendEachRequestAsAsked_whateverTheTransferBefore() async throws {
        let server = try await PlatformServer.start()
        let transport = try CurlTransport(maxConnections: 1, timeout: .seconds(5))
        let base = "\(server.baseURL)/bot\(PlatformServer.telegramToken)"
        var texts: [String] = []
        for (index, length) in [300, 5, 1200, 1, 40].enumerated() {
            let text = String(repeating: "é", count: length) + "\(index)"
            texts.append(text)
            let body = JSONValue.object(["chat_id": .number("\(index + 1)"), "text": .string(text)]).jsonText
            let result = await transport.send(HTTPRequest(url: base + "/sendMessage", body: Array(body.utf8)))
            guard case .response(200, _) = result else { Issue.record("send \(index): \(result)"); return }
            // Fetches after the second send and two in a row after the fourth.
            for _ in 0..<(index == 1 ? 1 : index == 3 ? 2 : 0) {
                let fetched = try await transport.fetch(HTTPRequest(method: "GET", url: base + "/getMe", headers: [], maxRedirects: 3)).get()
                #expect(fetched.status == 200 && fetched.header("content-type")?.contains("json") == true, "\(fetched.headers)")
                #expect(String(decoding: fetched.body, as: UTF8.self).contains("is_bot"))
            }
        }
        let sent = try server.requests().filter { $0.path.hasSuffix("/sendMessage") }.map { entry in
            (try JSONSerialization.jsonObject(with: Data(entry.body.utf8)) as? [String: Any])?["text"] as? String
        }
        #expect(sent == texts)
        await transport.shutdown()
    }

    @Test func channel_classifiesThroughTheRealTransport() async throws {
        let server = try await PlatformServer.start()
        let transport = try CurlTransport()
        var account = Configuration.embeddedDefaults(environment: [:]).accounts["shop_bot"]!
        account.apiBaseURL = server.baseURL
        account.token = Secret(value: "wrong:token", origin: "test")
        let outcome = await ChannelFactory.channel(for: account, transport: transport).send(.init(endpoint: "sendMessage", body: .object(["chat_id": .number("5"), "text": .string("x")])))
        #expect(outcome == .accountBroken(reason: "Unauthorized"))
        await transport.shutdown()
    }

    /// The platforms answer over HTTPS and offer HTTP/2: every POST of a busy burst goes over it, is answered, and
    /// reaches the platform exactly once (cleartext HTTP/2 with libcurl 7.88 failed every POST after a connection's first).
    @Test(.enabled(if: TLSProxy.available)) func send_overHTTPSWithHTTP2_answersEveryPOSTOnce() async throws {
        let server = try await PlatformServer.start()
        let proxy = try await TLSProxy.start(upstream: server.baseURL)
        let transport = try CurlTransport(maxConnections: 16, timeout: .seconds(10), caFile: proxy.certificate)
        let url = "\(proxy.baseURL)/bot\(PlatformServer.telegramToken)/sendMessage"
        let requests = 400
        let statuses = await withTaskGroup(of: Int.self) { group in
            var statuses: [Int] = []
            // 64 calls out at a time over at most 16 connections: HTTP/2 carries several on one.
            for index in 0..<requests {
                if index >= 64, let status = await group.next() { statuses.append(status) }
                group.addTask {
                    let body = Array(#"{"chat_id":\#(1000 + index),"text":"hi \#(index)"}"#.utf8)
                    if case .response(let status, _) = await transport.send(HTTPRequest(url: url, body: body)) { return status }
                    return 0
                }
            }
            for await status in group { statuses.append(status) }
            return statuses
        }
        await transport.shutdown()
        #expect(statuses.count == requests && statuses.allSatisfy { $0 == 200 }, "\(statuses.filter { $0 != 200 })")
        // nginx logs a request after answering it.
        try await eventually("every request logged") { try proxy.requests().count >= requests }
        let answered = try proxy.requests()
        #expect(answered.count == requests)
        #expect(answered.allSatisfy { $0.protocol == "HTTP/2.0" && $0.status == 200 && $0.method == "POST" }, "\(answered.prefix(3))")
        // Each message reached the platform once: no request was resent.
        let chats = try server.requests().map(\.body)
        #expect(chats.count == requests && Set(chats).count == requests)
    }

    /// TLS verification stays on: a certificate nobody vouched for fails before any byte of the request leaves.
    @Test(.enabled(if: TLSProxy.available)) func send_overHTTPS_refusesAnUntrustedCertificate() async throws {
        let server = try await PlatformServer.start()
        let proxy = try await TLSProxy.start(upstream: server.baseURL)
        let transport = try CurlTransport(timeout: .seconds(10))
        let result = await transport.send(HTTPRequest(url: "\(proxy.baseURL)/bot\(PlatformServer.telegramToken)/sendMessage", body: body))
        await transport.shutdown()
        guard case .failure(let reason, let sent) = result else { Issue.record("answered: \(result)"); return }
        #expect(!sent)
        #expect(reason.contains("certificate"), "\(reason)")
        #expect(try proxy.requests().isEmpty)
    }
}
