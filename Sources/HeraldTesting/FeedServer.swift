import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A loopback web server that serves a feed the test changes as it goes, with the behaviours of real ones:
/// ETag and Last-Modified (304 when unchanged), gzip, redirect chains and loops, a 100 MB body, a slow answer.
public final class FeedServer: Sendable {
    struct State {
        var body: [UInt8] = []
        var contentType = "application/rss+xml; charset=utf-8"
        var version = 0
        var requests: [String] = []
        var notModified = 0
    }

    private let state = Mutex(State())
    private let bound = Mutex<Int?>(nil)

    public init() {}

    public var baseURL: String { "http://127.0.0.1:\(bound.withLock { $0 } ?? 0)" }
    /// Paths requested so far, in order.
    public var requests: [String] { state.withLock { $0.requests } }
    /// Requests answered 304 Not Modified.
    public var notModifiedCount: Int { state.withLock { $0.notModified } }

    /// Serves `text` at /feed from now on, with a new ETag.
    public func publish(_ text: String, contentType: String = "application/rss+xml; charset=utf-8") {
        state.withLock {
            $0.body = Array(text.utf8)
            $0.contentType = contentType
            $0.version += 1
        }
    }

    /// Runs the server around `body`.
    public func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        let router = Router()
        router.get("/feed") { [self] request, _ -> Response in
            let (bytes, type, etag) = state.withLock { state in
                state.requests.append("/feed")
                return (state.body, state.contentType, "\"v\(state.version)\"")
            }
            let modified = "Sun, 06 Dec 2026 10:00:00 GMT"
            if request.headers[.ifNoneMatch] == etag {
                state.withLock { $0.notModified += 1 }
                return Response(status: .notModified, headers: [.eTag: etag, .lastModified: modified])
            }
            return Response(status: .ok, headers: [.contentType: type, .eTag: etag, .lastModified: modified], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        router.get("/gzip") { [self] _, _ -> Response in
            let bytes = state.withLock { state in
                state.requests.append("/gzip")
                return state.body
            }
            return Response(status: .ok, headers: [.contentType: "application/rss+xml", .contentEncoding: "gzip"], body: .init(byteBuffer: ByteBuffer(bytes: FeedServer.gzip(bytes))))
        }
        router.get("/redirect/{hops}") { [self] _, context -> Response in
            let hops = Int(context.parameters.get("hops") ?? "0") ?? 0
            state.withLock { $0.requests.append("/redirect/\(hops)") }
            return Response(status: .found, headers: [.location: hops <= 1 ? "/feed" : "/redirect/\(hops - 1)"])
        }
        router.get("/loop") { [self] _, _ -> Response in
            state.withLock { $0.requests.append("/loop") }
            return Response(status: .found, headers: [.location: "/loop"])
        }
        router.get("/huge") { [self] _, _ -> Response in
            state.withLock { $0.requests.append("/huge") }
            let chunk = ByteBuffer(bytes: Array(repeating: UInt8(ascii: " "), count: 1 << 20))
            return Response(status: .ok, headers: [.contentType: "application/rss+xml"], body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "<rss version=\"2.0\"><channel><title>"))
                for _ in 0..<100 { try await writer.write(chunk) }
                try await writer.write(ByteBuffer(string: "</title></channel></rss>"))
                try await writer.finish(nil)
            })
        }
        router.get("/slow") { [self] _, _ -> Response in
            state.withLock { $0.requests.append("/slow") }
            try await Task.sleep(for: .seconds(30))
            return Response(status: .ok)
        }
        router.get("/missing") { [self] _, _ -> Response in
            state.withLock { $0.requests.append("/missing") }
            return Response(status: .notFound)
        }
        var logger = Logger(label: "feed-server")
        logger.logLevel = .critical
        let application = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { [self] channel in bound.withLock { $0 = channel.localAddress?.port } }, logger: logger
        )
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await application.runService()
                return nil
            }
            let deadline = ContinuousClock.now.advanced(by: .seconds(10))
            while bound.withLock({ $0 }) == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            do {
                let result = try await body()
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    /// gzip by the system's gzip (the test server only; Herald leaves decompression to libcurl).
    static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-c"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        guard (try? process.run()) != nil else { return bytes }
        input.fileHandleForWriting.write(Data(bytes))
        try? input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(data)
    }
}
