import Foundation
import Glibc
import HeraldCore

/// nginx terminating TLS, with HTTP/2 offered by ALPN as the platforms offer it, in front of a loopback upstream
/// (the simulator): the client's HTTPS path, tested with a throwaway certificate authority.
public final class TLSProxy: Sendable {
    public let root: String
    public let port: Int
    private let process: Process

    public var baseURL: String { "https://127.0.0.1:\(port)" }
    /// The self-signed certificate the proxy serves, to trust as a certificate authority (`ca_file`).
    public var certificate: String { root + "/cert.pem" }

    /// Whether nginx and the openssl tool are installed (`.ci/run` installs them).
    public static var available: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") && FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")
    }

    /// Starts the proxy and waits (at most 10 s) until it accepts connections.
    public static func start(upstream: String) async throws -> TLSProxy {
        let proxy = try TLSProxy(upstream: upstream)
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while !proxy.accepts() {
            guard ContinuousClock.now < deadline, proxy.process.isRunning else {
                throw TLSProxyError("nginx did not start: \((try? String(contentsOfFile: proxy.root + "/error.log", encoding: .utf8)) ?? "")")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return proxy
    }

    private init(upstream: String) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("herald-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/temp", withIntermediateDirectories: true)
        // Worker processes may run as another user when the tests run as root.
        chmod(root, 0o755)
        chmod(root + "/temp", 0o777)
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
            "-keyout", root + "/key.pem", "-out", root + "/cert.pem", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else { throw TLSProxyError("openssl could not make a certificate") }
        port = try FreePort.take()
        let config = """
            worker_processes 1;
            daemon off;
            pid \(root)/nginx.pid;
            error_log \(root)/error.log;
            events { worker_connections 1024; }
            http {
                log_format protocols '$server_protocol $status $request_method $uri';
                access_log \(root)/access.log protocols;
                client_body_temp_path \(root)/temp;
                proxy_temp_path \(root)/temp;
                fastcgi_temp_path \(root)/temp;
                uwsgi_temp_path \(root)/temp;
                scgi_temp_path \(root)/temp;
                server {
                    listen 127.0.0.1:\(port) ssl http2;
                    ssl_certificate \(root)/cert.pem;
                    ssl_certificate_key \(root)/key.pem;
                    location / { proxy_pass \(upstream); proxy_http_version 1.1; proxy_set_header Connection ""; }
                }
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

    /// Each request the proxy answered, in order: the protocol it came over (`HTTP/2.0`), its status and path.
    public func requests() throws -> [(protocol: String, status: Int, method: String, path: String)] {
        guard FileManager.default.fileExists(atPath: root + "/access.log") else { return [] }
        return try String(contentsOfFile: root + "/access.log", encoding: .utf8).split(separator: "\n").map { line in
            let fields = line.split(separator: " ")
            guard fields.count == 4, let status = Int(fields[1]) else { throw TLSProxyError("unexpected access log line: \(line)") }
            return (String(fields[0]), status, String(fields[2]), String(fields[3]))
        }
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

/// The proxy could not be set up.
public struct TLSProxyError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
