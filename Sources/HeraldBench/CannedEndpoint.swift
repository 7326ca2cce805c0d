import Foundation
import Glibc
import HeraldCore
import HeraldTesting

/// nginx on loopback answering every request with a fixed Bot API success body: an endpoint fast enough that
/// Herald, wrk and the peers are measured, not the server (one worker, so the other core is left to the client).
final class CannedEndpoint {
    private let server: NginxServer

    init() throws {
        let body = #"{"ok":true,"result":{"message_id":1,"date":1700000000,"chat":{"id":1,"type":"private"},"text":"Hello"}}"#
        server = try NginxServer(workerConnections: 8192) { root, port in
            """
                access_log off;
                client_body_temp_path \(root)/temp;
                keepalive_requests 10000000;
                keepalive_timeout 300s;
                server {
                    listen 127.0.0.1:\(port) reuseport backlog=4096;
                    location / { default_type application/json; return 200 '\(body)'; }
                    location ~ /getMe$ { default_type application/json; return 200 '{"ok":true,"result":{"id":1,"is_bot":true,"first_name":"Bench","username":"bench_bot"}}'; }
                }
            """
        }
        try server.waitUntilReady()
    }

    var baseURL: String { "http://127.0.0.1:\(server.port)" }

    static var available: Bool { NginxServer.available }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command, returning its standard output.
func capture(_ executable: String, _ arguments: [String]) throws -> String {
    let process = Process()
    let pipe = Pipe()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

/// User plus system CPU seconds this process has used.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

/// A configuration on a fresh temporary spool and state directory (removed by `cleanup`), listening on any
/// free port: what every in-process benchmark daemon starts from.
func temporaryConfiguration() -> (configuration: Configuration, cleanup: () -> Void) {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("herald-bench-\(UUID().uuidString)").path
    var configuration = Configuration.embeddedDefaults(environment: [:])
    configuration.spoolDirectory = root + "/spool"
    configuration.stateDirectory = root + "/state"
    configuration.listenPort = 0
    return (configuration, { try? FileManager.default.removeItem(atPath: root) })
}
