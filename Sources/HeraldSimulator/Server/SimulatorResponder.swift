import Foundation
import Hummingbird
import NIOCore

/// Routes every request: `/_/…` control, `/bot<TOKEN>/<method>` to the Bot API, `/vNN.N/…` to the Graph API.
struct SimulatorResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let simulator: PlatformSimulator

    func respond(to request: Request, context: Context) async throws -> Response {
        // Whatever this request changes (a send people react to, updates queued, a webhook set), the loops see it.
        defer { simulator.ringBells() }
        let path = request.uri.path
        var request = request
        let body = Array((try? await request.collectBody(upTo: 64 << 20))?.readableBytesView ?? [])
        if path.hasPrefix("/_/") {
            return ControlRoutes(simulator: simulator).respond(method: request.method.rawValue, path: path, body: body)
        }
        if path == "/site/blog.xml" {
            let (feed, etag) = simulator.state.withLock { ($0.website.rss(), "\"blog-\($0.website.version)\"") }
            if request.headers[.ifNoneMatch] == etag { return Response(status: .notModified, headers: [.eTag: etag]) }
            return Response(status: .ok, headers: [.contentType: "application/rss+xml; charset=utf-8", .eTag: etag], body: .init(byteBuffer: ByteBuffer(string: feed)))
        }
        if let (token, method) = Self.botCall(path), method.lowercased() == "getupdates" {
            return try await answer(await getUpdates(token: token, body: body))
        }
        let arrival = simulator.now
        enum Gate { case outage(Int), freeze(Double), error(Int), open }
        let gate: Gate = simulator.state.withLock { state in
            if arrival < state.faults.outageUntil {
                state.faults.refused += 1
                return .outage(state.faults.outageStatus)
            }
            if arrival < state.faults.freezeUntil { return .freeze(state.faults.freezeUntil) }
            if state.random.chance(state.faults.errorShare) { return .error(state.faults.errorStatus) }
            return .open
        }
        switch gate {
        case .outage(let status):
            return try await answer(.page(status, "<html><head><title>\(status) Bad Gateway</title></head><body><center><h1>\(status) Bad Gateway</h1></center></body></html>"))
        case .freeze(let until):
            // Frozen: nothing answers until the freeze ends (a client's timeout comes first), then the call goes on.
            try? await Task.sleep(for: .seconds(until - arrival))
        case .error(let status):
            return try await answer(.json(status, ["ok": false, "error_code": .int(Int64(status)), "description": "Internal Server Error"]))
        case .open: break
        }
        let parsed: [String: WireJSON]
        // What /_/requests shows: the body as sent when it is JSON, else its fields as JSON (form bodies).
        let recorded: String
        if request.method == .get || body.isEmpty {
            parsed = [:]
            recorded = "{}"
        } else if let form = Self.form(request: request, body: body) {
            parsed = form
            recorded = WireJSON.object(form).text
        } else {
            guard let object = WireJSON.parse(body)?.object else {
                return try await answer(.json(400, ["ok": false, "error_code": 400, "description": "Bad Request: invalid JSON"]))
            }
            parsed = object
            recorded = String(decoding: body, as: UTF8.self)
        }
        let latency = simulator.state.withLock { state in
            if state.settings.recordRequests {
                state.requests.append(.init(path: path, method: request.method.rawValue, body: recorded, contentType: request.headers[.contentType]))
            }
            return state.latency.sample(&state.random)
        }
        if latency > 0 { try? await Task.sleep(for: .milliseconds(latency)) }
        let recipient = parsed["chat_id"].map { $0.int.map(String.init) ?? $0.string ?? "" } ?? parsed["recipient"]?["id"]?.string
        let platformAnswer: PlatformAnswer = simulator.state.withLock { state in
            if let recipient, let script = state.scripted(for: recipient) {
                // Status 0: the answer dies after its head; -1: no answer at all.
                return script.status == 0 ? .drop : script.status < 0 ? .hangUp : .json(script.status, script.body)
            }
            var answer: PlatformAnswer
            if let (token, method) = Self.botCall(path) {
                answer = token == state.settings.telegramToken
                    ? BotAPI.handle(method: Self.canonical(method), body: parsed, state: &state, now: arrival)
                    : TelegramError(code: 401, description: "Unauthorized").answer
            } else if let graph = Self.graphPath(path) {
                let token = request.uri.queryParameters.get("access_token") ?? parsed["access_token"]?.string
                answer = GraphAPI.handle(method: request.method.rawValue, path: graph, token: token, body: parsed, state: &state, now: arrival)
            } else {
                answer = .json(404, ["ok": false, "error_code": 404, "description": "Not Found"])
            }
            if case .json(200, _) = answer, state.random.chance(state.faults.dropShare) { answer = .drop }
            if case .json(200, _) = answer, state.random.chance(state.faults.hangUpShare) { answer = .hangUp }
            return answer
        }
        return try await answer(platformAnswer)
    }

    private func answer(_ answer: PlatformAnswer) async throws -> Response {
        switch answer {
        case .json(let status, let body):
            return Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body.text)))
        case .page(let status, let html):
            return Response(status: .init(code: status), headers: [.contentType: "text/html"], body: .init(byteBuffer: ByteBuffer(string: html)))
        case .drop:
            // The head goes out, the body never does: the connection dies mid-answer.
            return Response(status: .ok, headers: [.contentType: "application/json", .contentLength: "64"], body: .init { _ in throw Dropped() })
        case .hangUp:
            // HangUpHandler closes the connection when it sees this answer, which never leaves.
            return Response(status: .ok, headers: [HangUpHandler.marker: "1"])
        }
    }

    private struct Dropped: Error {}

    private func getUpdates(token: String, body: [UInt8]) async -> PlatformAnswer {
        let (valid, webhook) = simulator.state.withLock { ($0.settings.telegramToken == token, $0.webhookURL) }
        guard valid else { return TelegramError(code: 401, description: "Unauthorized").answer }
        guard webhook.isEmpty else {
            return TelegramError(code: 409, description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first").answer
        }
        let parameters = body.isEmpty ? [:] : (WireJSON.parse(body)?.object ?? [:])
        let offset = parameters["offset"]?.int ?? 0
        let limit = Int(parameters["limit"]?.int ?? 100)
        // Long polls are cut to a second, so that a stopping daemon never waits long (Telegram allows 50 s).
        let deadline = simulator.now + min(parameters["timeout"]?.number ?? 0, 1)
        simulator.state.withLock { state in
            state.polls += 1
            state.pollOffsets.append(offset)
            if offset != 0 { state.updates.removeAll { ($0["update_id"]?.int ?? 0) < offset } }
        }
        while true {
            let ready = simulator.state.withLock { state in Array(state.updates.filter { ($0["update_id"]?.int ?? 0) >= offset }.prefix(limit)) }
            if !ready.isEmpty || simulator.now >= deadline || Task.isCancelled { return BotAPI.ok(.array(ready)) }
            await simulator.pollBell.wait(seconds: deadline - simulator.now)
        }
    }

    /// `(token, method)` of `/bot<TOKEN>/<method>`.
    static func botCall(_ path: String) -> (String, String)? {
        guard path.hasPrefix("/bot") else { return nil }
        let parts = path.dropFirst(4).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    /// Method names are case-insensitive on the Bot API.
    static func canonical(_ method: String) -> String {
        let known = ["getMe", "sendMessage", "sendPhoto", "sendVideo", "sendAudio", "sendDocument", "answerCallbackQuery", "setWebhook", "deleteWebhook",
                     "getWebhookInfo", "setMyDescription", "setMyShortDescription"]
        return known.first { $0.lowercased() == method.lowercased() } ?? method
    }

    /// The path segments after `/vNN.N/`.
    static func graphPath(_ path: String) -> [Substring]? {
        let parts = path.split(separator: "/")
        guard let version = parts.first, version.hasPrefix("v"), version.dropFirst().split(separator: ".").count == 2,
              version.dropFirst().allSatisfy({ $0.isNumber || $0 == "." }), parts.count >= 2
        else { return nil }
        return Array(parts.dropFirst())
    }

    /// A form-encoded body (`application/x-www-form-urlencoded`), its JSON-valued fields decoded.
    static func form(request: Request, body: [UInt8]) -> [String: WireJSON]? {
        guard request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true else { return nil }
        var fields: [String: WireJSON] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
            guard let key = parts.first else { continue }
            let value = parts.count > 1 ? parts[1] : ""
            if value == "true" || value == "false" {
                fields[key] = .bool(value == "true")
            } else if let number = Int64(value) {
                fields[key] = .int(number)
            } else if value.hasPrefix("{") || value.hasPrefix("["), let json = WireJSON.parse(Array(value.utf8)) {
                fields[key] = json
            } else {
                fields[key] = .string(value)
            }
        }
        return fields
    }
}
