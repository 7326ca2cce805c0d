import Foundation
import Glibc

/// A loopback server in its own process (a script under Tests/PlatformServer, or `herald sim`): it writes the port
/// it bound to a file, and is killed with the object.
public final class ScriptServer: @unchecked Sendable {
    let process = Process()
    public let port: Int

    /// Starts `Tests/PlatformServer/<script>` with `arguments` after the port file's path.
    public convenience init(script: String, arguments: [String] = []) throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Tests/PlatformServer/\(script)").path
        try self.init(executable: "/usr/bin/env") { portFile in ["python3", path, portFile] + arguments }
    }

    /// Starts `executable` with the arguments made from the port file's path.
    public init(executable: String, arguments: (String) -> [String]) throws {
        let portFile = FileManager.default.temporaryDirectory.appendingPathComponent("loopback-\(UUID().uuidString).port").path
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments(portFile)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: portFile) && Date() < deadline { usleep(10_000) }
        port = Int((try? String(contentsOfFile: portFile, encoding: .utf8)) ?? "") ?? 0
        try? FileManager.default.removeItem(atPath: portFile)
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    deinit {
        // SIGKILL: the test process may pass an ignored SIGTERM on to its children.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
