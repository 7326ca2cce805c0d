import Foundation
import Glibc
import Synchronization

/// A loopback server in its own process (`herald sim`): it writes the port it bound to a file, and is killed
/// with the object.
public final class ScriptServer: Sendable {
    private let process: Process
    private let portFile: String
    private let bound = Mutex(0)

    /// Starts `executable` with the arguments made from the port file's path, without waiting for it to listen.
    public init(launching executable: String, arguments: (String) -> [String]) throws {
        portFile = FileManager.default.temporaryDirectory.appendingPathComponent("loopback-\(UUID().uuidString).port").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments(portFile)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        self.process = process
    }

    /// Starts it and blocks until it listens (for benchmarks; async tests use `ready()`, which keeps the
    /// cooperative pool free for the tests beside them).
    public convenience init(executable: String, arguments: (String) -> [String]) throws {
        try self.init(launching: executable, arguments: arguments)
        let deadline = Date().addingTimeInterval(10)
        while !readPort() && Date() < deadline { usleep(5_000) }
    }

    /// Waits until the server listens (at most 10 s).
    public func ready() async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while !readPort() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
    }

    /// Reads the port file once it is there; true once the port is known.
    private func readPort() -> Bool {
        if bound.withLock({ $0 }) != 0 { return true }
        guard let text = try? String(contentsOfFile: portFile, encoding: .utf8), let port = Int(text) else { return false }
        try? FileManager.default.removeItem(atPath: portFile)
        bound.withLock { $0 = port }
        return true
    }

    public var port: Int { bound.withLock { $0 } }
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    deinit {
        // SIGKILL: the test process may pass an ignored SIGTERM on to its children.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
