import Foundation
import Glibc
import HeraldCore

/// nginx on a free loopback port, one worker, in a temporary directory of its own that goes with it: the
/// benchmarks' canned endpoint and the tests' TLS proxy, each with its own `http { }` block.
public final class NginxServer: Sendable {
    /// The server's directory: its configuration, logs, pid file and `temp/`.
    public let root: String
    public let port: Int
    private let process: Process

    /// Whether nginx is installed (`.ci/run` installs it).
    public static var available: Bool { FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") }

    /// Writes the configuration around `http(root, port)`, the body of its `http { }` block, and starts nginx
    /// without waiting for it to listen (`ready()` and `waitUntilReady()` do). `prepare` runs on the fresh
    /// directory first (to put certificates there, say).
    public init(workerConnections: Int = 1024, prepare: (String) throws -> Void = { _ in }, http: (_ root: String, _ port: Int) -> String) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("herald-nginx-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/temp", withIntermediateDirectories: true)
        // Worker processes may run as another user when the tests run as root.
        chmod(root, 0o755)
        chmod(root + "/temp", 0o777)
        try prepare(root)
        port = try FreePort.take()
        let config = """
            worker_processes 1;
            daemon off;
            pid \(root)/nginx.pid;
            error_log \(root)/error.log;
            events { worker_connections \(workerConnections); }
            http {
            \(http(root, port))
            }
            """
        try config.write(toFile: root + "/nginx.conf", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        process.arguments = ["-p", root, "-c", root + "/nginx.conf", "-e", root + "/error.log"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
    }

    /// Waits (at most 10 s) until nginx accepts connections, without holding a thread of the cooperative pool.
    public func ready() async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while !accepts() {
            guard ContinuousClock.now < deadline, process.isRunning else { throw startFailure() }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Blocks (at most 10 s) until nginx accepts connections: for benchmarks.
    public func waitUntilReady() throws {
        let deadline = Date().addingTimeInterval(10)
        while !accepts() {
            guard Date() < deadline, process.isRunning else { throw startFailure() }
            usleep(10_000)
        }
    }

    private func startFailure() -> NginxError {
        NginxError(description: "nginx did not start on port \(port): \((try? String(contentsOfFile: root + "/error.log", encoding: .utf8)) ?? "")")
    }

    private func accepts() -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    deinit {
        // SIGTERM is nginx's fast stop, which takes its worker down too; SIGKILL would leave the worker running.
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// nginx could not be set up or did not start.
public struct NginxError: Error, CustomStringConvertible {
    public var description: String
}
