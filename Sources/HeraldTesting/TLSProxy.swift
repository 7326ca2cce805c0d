import Foundation

/// nginx terminating TLS, with HTTP/2 offered by ALPN as the platforms offer it, in front of a loopback upstream
/// (the simulator): the client's HTTPS path, tested with a throwaway certificate authority.
public final class TLSProxy: Sendable {
    private let server: NginxServer

    public var baseURL: String { "https://127.0.0.1:\(server.port)" }
    /// The self-signed certificate the proxy serves, to trust as a certificate authority (`ca_file`).
    public var certificate: String { server.root + "/cert.pem" }

    /// Whether nginx and the openssl tool are installed (`.ci/run` installs them).
    public static var available: Bool {
        NginxServer.available && FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")
    }

    /// Starts the proxy and waits (at most 10 s) until it accepts connections.
    public static func start(upstream: String) async throws -> TLSProxy {
        let proxy = try TLSProxy(upstream: upstream)
        try await proxy.server.ready()
        return proxy
    }

    private init(upstream: String) throws {
        server = try NginxServer(prepare: TLSProxy.makeCertificate) { root, port in
            """
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
            """
        }
    }

    /// A self-signed certificate for 127.0.0.1 and its key, in `root`.
    private static func makeCertificate(in root: String) throws {
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
        guard openssl.terminationStatus == 0 else { throw NginxError(description: "openssl could not make a certificate") }
    }

    /// Each request the proxy answered, in order: the protocol it came over (`HTTP/2.0`), its status and path.
    public func requests() throws -> [(protocol: String, status: Int, method: String, path: String)] {
        let log = server.root + "/access.log"
        guard FileManager.default.fileExists(atPath: log) else { return [] }
        return try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map { line in
            let fields = line.split(separator: " ")
            guard fields.count == 4, let status = Int(fields[1]) else { throw NginxError(description: "unexpected access log line: \(line)") }
            return (String(fields[0]), status, String(fields[2]), String(fields[3]))
        }
    }
}
