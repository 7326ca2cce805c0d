import Foundation
import HeraldCore

/// Speaks to the daemon's HTTP server over loopback as Meta, Telegram or a stranger would.
struct WebhookClient {
    let transport: CurlTransport
    let base: String

    static let appSecret = "test-app-secret-0123456789"
    static let verifyToken = "test-verify-token"
    static let telegramSecret = "tg_secret-123"

    init(port: Int) throws {
        transport = try CurlTransport(maxConnections: 16, timeout: .seconds(10))
        base = "http://127.0.0.1:\(port)"
    }

    /// Waits for the server of `parts` to listen, then connects to it.
    static func connect(_ parts: Daemon.Parts) async throws -> WebhookClient {
        try await eventually(timeout: 10, "HTTP server listening") { parts.http.port != nil }
        return try WebhookClient(port: parts.http.port!)
    }

    struct Answer {
        var status: Int
        var body: String
    }

    func get(_ path: String) async -> Answer {
        answer(await transport.send(HTTPRequest(method: "GET", url: base + path, headers: [])))
    }

    func post(_ path: String, _ body: String, headers: [String] = ["Content-Type: application/json"]) async -> Answer {
        answer(await transport.send(HTTPRequest(url: base + path, headers: headers, body: Array(body.utf8))))
    }

    /// A Messenger webhook POST, signed with `secret` as Meta signs it (nil: unsigned).
    func messenger(_ body: String, secret: String? = WebhookClient.appSecret) async -> Answer {
        var headers = ["Content-Type: application/json"]
        if let secret { headers.append("X-Hub-Signature-256: " + WebhookSignature.header(for: Array(body.utf8), secret: secret)) }
        return await post("/webhooks/messenger", body, headers: headers)
    }

    func telegram(_ body: String, account: String = "shop_bot", secret: String? = WebhookClient.telegramSecret) async -> Answer {
        var headers = ["Content-Type: application/json"]
        if let secret { headers.append("X-Telegram-Bot-Api-Secret-Token: " + secret) }
        return await post("/webhooks/telegram/\(account)", body, headers: headers)
    }

    private func answer(_ result: HTTPResult) -> Answer {
        switch result {
        case .response(let status, let body): Answer(status: status, body: String(decoding: body, as: UTF8.self))
        case .failure(let reason, _): Answer(status: 0, body: reason)
        }
    }

    func close() async { await transport.shutdown() }
}

/// Messenger webhook bodies shaped as Meta's reference shows them.
enum MessengerEvents {
    static let page = "100000000000001"

    static func body(_ events: [String], page: String = MessengerEvents.page) -> String {
        #"{"object":"page","entry":[{"id":""# + page + #"","time":\#(now()),"messaging":["# + events.joined(separator: ",") + "]}]}"
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    static func item(_ psid: String, _ key: String, _ value: String, at: Int64 = now()) -> String {
        #"{"sender":{"id":""# + psid + #""},"recipient":{"id":""# + page + #""},"timestamp":\#(at),""# + key + #"":"# + value + "}"
    }

    static func getStarted(_ psid: String, ref: String? = nil) -> String {
        let referral = ref.map { #","referral":{"ref":""# + $0 + #"","source":"SHORTLINK","type":"OPEN_THREAD"}"# } ?? ""
        return item(psid, "postback", #"{"mid":"m_gs_\#(psid)_\#(UUID().uuidString)","title":"Get Started","payload":"GET_STARTED"\#(referral)}"#)
    }

    static func text(_ psid: String, _ text: String, mid: String = "m_\(UUID().uuidString)") -> String {
        item(psid, "message", #"{"mid":""# + mid + #"","text":""# + text + #""}"#)
    }

    static func read(_ psid: String, watermark: Int64) -> String { item(psid, "read", #"{"watermark":\#(watermark)}"#) }
    static func delivery(_ psid: String, watermark: Int64) -> String { item(psid, "delivery", #"{"watermark":\#(watermark)}"#) }

    static func echo(_ psid: String, metadata: String) -> String {
        #"{"sender":{"id":""# + page + #""},"recipient":{"id":""# + psid + #""},"timestamp":\#(now()),"message":{"is_echo":true,"app_id":1,"metadata":""# + metadata + #"","mid":"m_echo_\#(UUID().uuidString)","text":"x"}}"#
    }
}
