import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HeraldCore

/// The platform simulator (`herald sim`, the HeraldSimulator target) in its own process, as the platforms are:
/// Herald's tests and benchmarks talk to it over loopback.
public final class PlatformServer: @unchecked Sendable {
    let server: ScriptServer
    public static let telegramToken = "123456:TEST-token"
    public static let messengerToken = "EAAG-test-page-token"
    public static let pageID = "100000000000001"
    public static let appSecret = "simulator-app-secret"

    /// Starts `herald sim` and blocks until it listens (benchmarks); `arguments` are its options (`--enforce-limits`,
    /// `--latency-ms N`, `--messenger-webhook URL`).
    public init(arguments: [String] = []) throws {
        server = try ScriptServer(executable: PlatformServer.heraldBinary) { portFile in ["sim", "--port", "0", "--port-file", portFile] + arguments }
    }

    private init(launching arguments: [String]) throws {
        server = try ScriptServer(launching: PlatformServer.heraldBinary) { portFile in ["sim", "--port", "0", "--port-file", portFile] + arguments }
    }

    /// Starts `herald sim` and waits until it listens without holding a thread of the cooperative pool: dozens of
    /// tests start one at once, and blocking waits for their startups starved the tests beside them. Its people
    /// tap, click and reply STOP only with `reactions`: a test counting the calls it caused would otherwise see
    /// theirs too (an answer to a tap, a goodbye) whenever one came before it looked, as on a loaded machine.
    public static func start(arguments: [String] = [], reactions: Bool = false) async throws -> PlatformServer {
        let platform = try PlatformServer(launching: arguments + (reactions ? [] : ["--no-reactions"]))
        try await platform.server.ready()
        return platform
    }

    /// The built `herald` binary: beside the running test bundle or benchmark, else in the package's debug build.
    public static let heraldBinary: String = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("herald").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/herald").path
    }()

    public var port: Int { server.port }
    public var baseURL: String { server.baseURL }

    /// Points the harness's two example accounts at this server, with tokens.
    public func configure(_ configuration: inout Configuration) {
        configuration.accounts["shop_bot"]?.apiBaseURL = baseURL
        configuration.accounts["shop_bot"]?.token = Secret(value: PlatformServer.telegramToken, origin: "test")
        configuration.accounts["shop_page"]?.apiBaseURL = baseURL
        configuration.accounts["shop_page"]?.token = Secret(value: PlatformServer.messengerToken, origin: "test")
        configuration.accounts["shop_page"]?.pageID = PlatformServer.pageID
    }

    /// Every request received: path and JSON body text (keys in the order sent).
    public func requests() throws -> [(path: String, body: String)] {
        let data = try fetch("/_/requests")
        guard let list = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else { return [] }
        return try list.map { entry in
            let body = try JSONSerialization.data(withJSONObject: entry["body"] ?? [:], options: [.sortedKeys, .withoutEscapingSlashes])
            return (entry["path"] as? String ?? "", String(decoding: body, as: UTF8.self))
        }
    }

    /// Makes the next `times` requests for one chat or PSID answer with `status` and `body`.
    public func script(recipient: String, status: Int, body: String, times: Int = 1) throws {
        let text = #"{"match": {"chat_id": ""# + recipient + #"", "psid": ""# + recipient + #""}, "status": "# + "\(status)" + #", "body": "# + body + #", "times": "# + "\(times)" + "}"
        _ = try fetch("/_/script", body: Data(text.utf8))
    }

    /// Makes every API request answer `status` with a proxy's HTML page for `seconds` (the control endpoints stay up).
    public func outage(seconds: Double, status: Int = 502) throws {
        _ = try fetch("/_/outage", body: Data(#"{"seconds": \#(seconds), "status": \#(status)}"#.utf8))
    }

    /// API requests answered with the outage page since the last `outage`.
    public func refusedDuringOutage() throws -> Int {
        let object = try JSONSerialization.jsonObject(with: try fetch("/_/outage")) as? [String: Any]
        return object?["refused"] as? Int ?? 0
    }

    /// Queues Telegram updates (a JSON array of Update objects) for the bot's `getUpdates`.
    public func pushUpdates(_ updates: String) throws {
        _ = try fetch("/_/updates", body: Data(updates.utf8))
    }

    /// `getUpdates` calls so far and the last offsets they asked from.
    public func polls() throws -> (count: Int, offsets: [Int]) {
        let object = try JSONSerialization.jsonObject(with: try fetch("/_/polls")) as? [String: Any]
        return (object?["polls"] as? Int ?? 0, object?["offsets"] as? [Int] ?? [])
    }

    /// Sets faults: `{"latency_ms": 20 or [5, 50], "freeze_seconds": 3, "drop_share": 0.1, "hang_up_share": 0.1, "error_share": 0.1, "error_status": 500}`.
    public func faults(_ json: String) throws {
        _ = try fetch("/_/faults", body: Data(json.utf8))
    }

    /// Changes behaviour: `{"messenger_webhook_url": "...", "read_share": 1, "click_share": 0.5, "preview_share": 0, "stop_share": 0}`.
    public func settings(_ json: String) throws {
        _ = try fetch("/_/settings", body: Data(json.utf8))
    }

    /// Makes a population: `{"telegram": 50, "messenger": 50, "sources": ["qr_code"], "blocked": 0.1, "seed": 7}`.
    public func people(_ json: String) throws {
        _ = try fetch("/_/people", body: Data(json.utf8))
    }

    /// The simulated people who have not come yet arrive through their growth sources, over `seconds`.
    @discardableResult
    public func arrive(seconds: Double = 0) throws -> Int {
        let object = try JSONSerialization.jsonObject(with: try fetch("/_/arrive", body: Data(#"{"seconds": \#(seconds)}"#.utf8))) as? [String: Any]
        return object?["arrived"] as? Int ?? 0
    }

    /// Sends Telegram's webhook posts to `url` (Herald behind its TLS proxy), the path taken from the webhook set.
    public func forwardTelegramWebhooks(to url: String) throws {
        _ = try fetch("/_/telegram-webhook-forward", body: Data(#"{"url": "\#(url)"}"#.utf8))
    }

    /// Calls an API path (`/bot<TOKEN>/setWebhook`) with a JSON body, as a client of the platform would; the answer's body.
    public func call(_ path: String, _ json: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: try fetch(path, body: Data(json.utf8))) as? [String: Any] ?? [:]
    }

    /// The simulator's report: counters by outcome, limit violations by kind, people by reachability.
    public func report() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: try fetch("/_/report")) as? [String: Any] ?? [:]
    }

    /// A request to the simulator's `/_/…` control endpoints: a GET, or a POST of `body`.
    public func fetch(_ path: String, body: Data? = nil) throws -> Data {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        if let body {
            request.httpMethod = "POST"
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let box = Box()
        let semaphore = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, _, _ in
            box.data = data
            semaphore.signal()
        }.resume()
        // Bounded: a test polling a server that stopped answering fails instead of holding its thread forever.
        guard semaphore.wait(timeout: .now() + 30) == .success, let data = box.data else { throw PlatformServerError(path: path) }
        return data
    }

    private final class Box: @unchecked Sendable { var data: Data? }

}

/// Sorted-keys JSON text of a literal, to compare with what the server recorded.
public func canonical(_ text: String) -> String {
    let object = try! JSONSerialization.jsonObject(with: Data(text.utf8))
    return String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
}

/// The platform server did not answer a control request.
public struct PlatformServerError: Error {
    public var path: String
}
