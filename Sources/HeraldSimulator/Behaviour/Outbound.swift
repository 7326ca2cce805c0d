import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The simulator's own HTTP calls: webhooks to the subscriber and links followed by people. Only loopback
/// addresses are ever contacted, and redirects are never followed (a tracked link's target is the internet).
final class Outbound: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    private lazy var session = URLSession(configuration: .ephemeral, delegate: self, delegateQueue: nil)

    /// POSTs `body` to `url` with `headers`; the status, or nil when nothing answered.
    func post(_ url: String, body: [UInt8], headers: [String: String]) async -> Int? {
        guard let target = Self.loopback(url) else { return nil }
        var request = URLRequest(url: target)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        return await status(of: request)
    }

    /// GETs `url` as `userAgent` would, without following its redirect; the status, or nil.
    func fetch(_ url: String, userAgent: String) async -> Int? {
        guard let target = Self.loopback(url) else { return nil }
        var request = URLRequest(url: target)
        request.setValue(userAgent, forHTTPHeaderField: "User-Agent")
        return await status(of: request)
    }

    private func status(of request: URLRequest) async -> Int? {
        await withCheckedContinuation { continuation in
            session.dataTask(with: request) { _, response, _ in
                continuation.resume(returning: (response as? HTTPURLResponse)?.statusCode)
            }.resume()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse, newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)
    }

    /// The URL when its host is a loopback address; nil for anything else.
    static func loopback(_ text: String) -> URL? {
        guard let url = URL(string: text), let host = url.host, ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) || host.hasPrefix("127.") else { return nil }
        return url
    }
}
