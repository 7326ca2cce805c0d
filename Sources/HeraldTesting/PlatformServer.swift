import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HeraldCore

/// The loopback Telegram / Messenger stand-in (Tests/PlatformServer/platform_server.py) in its own process.
public final class PlatformServer: @unchecked Sendable {
    let server: ScriptServer
    public static let telegramToken = "123456:TEST-token"
    public static let messengerToken = "EAAG-test-page-token"
    public static let pageID = "100000000000001"

    public init(arguments: [String] = []) throws {
        server = try ScriptServer(script: "platform_server.py", arguments: arguments)
    }

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

    private func fetch(_ path: String, body: Data? = nil) throws -> Data {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        if let body {
            request.httpMethod = "POST"
            request.httpBody = body
        }
        let box = Box()
        let semaphore = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, _, _ in
            box.data = data
            semaphore.signal()
        }.resume()
        semaphore.wait()
        guard let data = box.data else { throw PlatformServerError(path: path) }
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
