import Foundation
import Glibc
import HeraldTesting

/// The built `herald` binary, found beside the test bundle.
let heraldBinary: String = {
    let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("herald").path
    if FileManager.default.isExecutableFile(atPath: besideTests) { return besideTests }
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return packageRoot.appendingPathComponent(".build/debug/herald").path
}()

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// What a finished command printed and returned.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a command to completion with its own environment additions and optional standard input; a command
/// still running after `timeout` seconds is killed, and its status is then that of SIGKILL (137).
func runCommand(_ arguments: [String], executable: String = heraldBinary, environment: [String: String] = [:], input: String? = nil, timeout: Double = 60) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "NOTIFY_SOCKET")
    env.removeValue(forKey: "HERALD_CONFIG")
    env.merge(environment) { $1 }
    process.environment = env
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let inPipe = Pipe()
    process.standardInput = inPipe
    try process.run()
    let pid = process.processIdentifier
    let killer = DispatchWorkItem { kill(pid, SIGKILL) }
    DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
    defer { killer.cancel() }
    if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
    try inPipe.fileHandleForWriting.close()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    return CommandResult(status: status, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
}

/// `runCommand` on a thread of its own, for long commands: waiting on a cooperative thread for many seconds
/// would starve the tests running beside it.
func runCommandOffPool(
    _ arguments: [String], executable: String = heraldBinary, environment: [String: String] = [:], input: String? = nil, timeout: Double = 60
) async throws -> CommandResult {
    try await offPool { try runCommand(arguments, executable: executable, environment: environment, input: input, timeout: timeout) }
}

/// Runs blocking work (a subprocess, a synchronous request) on its own thread: on the cooperative pool it would
/// hold one of its few threads and starve the in-process daemons of the tests running beside it.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

/// A temporary directory with a spool, a state directory and a configuration file.
struct Workspace {
    let root: String
    var spool: String { root + "/spool" }
    var state: String { root + "/state" }
    var config: String { root + "/herald.toml" }

    init(accounts: String = Workspace.defaultAccounts) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("herald-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try writeConfig(accounts: accounts)
    }

    static let defaultAccounts = """
        [accounts.shop_bot]
        platform = "telegram"
        [accounts.shop_page]
        platform = "messenger"
        page_id = "100000000000001"
        """

    /// `top` holds top-level settings (they must come before the first table).
    func writeConfig(accounts: String, top: String = "") throws {
        let text = "spool_dir = \"\(spool)\"\nstate_dir = \"\(state)\"\n\(top)\n[spool]\nrescan_seconds = 1\n[http]\nlisten = \"127.0.0.1:0\"\npublic_url = \"https://herald.example.com\"\n\(accounts)\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: config))
    }

    /// Configures one Telegram account, `shop_bot`, against a loopback server, with its token in a 0600 file.
    func configureBot(baseURL: String, token: String, extra: String = "", top: String = "") throws {
        let tokenFile = root + "/bot.token"
        try Data((token + "\n").utf8).write(to: URL(fileURLWithPath: tokenFile))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: tokenFile)
        try writeConfig(accounts: """
            [accounts.shop_bot]
            platform = "telegram"
            token_file = "\(tokenFile)"
            api_base_url = "\(baseURL)"
            \(extra)
            """, top: top)
    }

    /// A workspace with one Telegram account, `shop_bot`, pointed at `server`.
    static func withBot(on server: PlatformServer) throws -> Workspace {
        let workspace = try Workspace(accounts: "")
        try workspace.configureBot(baseURL: server.baseURL, token: PlatformServer.telegramToken)
        return workspace
    }

    /// Writes a job into incoming/ the way `cp` would.
    func drop(_ json: String, as name: String) throws {
        try FileManager.default.createDirectory(atPath: spool + "/incoming", withIntermediateDirectories: true)
        try PlainWrite.write(Array(json.utf8), to: spool + "/incoming/" + name)
    }

    func names(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: spool + "/" + folder)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}

/// A running `herald run` in its own process. Its log goes to a file, not a pipe: a pipe nobody reads fills
/// at 64 KiB and would block the daemon mid-write.
final class DaemonProcess {
    let process = Process()
    let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("herald-daemon-\(UUID().uuidString).log").path

    /// `directory`: its working directory (the test's when nil), which relative paths start from.
    init(_ workspace: Workspace, environment: [String: String] = [:], arguments: [String] = [], directory: String? = nil) throws {
        process.executableURL = URL(fileURLWithPath: heraldBinary)
        process.arguments = ["run", "--config", workspace.config] + arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NOTIFY_SOCKET")
        env["HERALD_LOG_TARGET"] = "console"
        env.merge(environment) { $1 }
        process.environment = env
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    /// Starts a daemon and waits for its READY=1 on `listener`; nil if it never became ready.
    static func startReady(
        _ workspace: Workspace, listener: NotifyListener, environment: [String: String] = [:], arguments: [String] = [], directory: String? = nil
    ) async throws -> DaemonProcess? {
        let before = listener.messages.count
        let daemon = try DaemonProcess(workspace, environment: environment.merging(["NOTIFY_SOCKET": listener.path]) { $1 }, arguments: arguments, directory: directory)
        return await listener.waitFor("READY=1", from: before) ? daemon : nil
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// The port its HTTP server listens on, once it logged it (the test configurations listen on port 0).
    func httpPort() async -> Int? {
        var port: Int?
        _ = await waitUntil {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            guard let range = log.range(of: "HTTP server listening on 127.0.0.1:") else { return false }
            port = Int(log[range.upperBound...].prefix { $0.isNumber })
            return port != nil
        }
        return port
    }

    /// Waits for exit (killing it after `timeout`), returning the status and everything it logged.
    func stop(signal number: Int32 = SIGTERM, timeout: Double = 15) async -> (status: Int32, log: String) {
        if process.isRunning { signal(number) }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: logPath)
        return (process.terminationStatus, log)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: logPath)
    }
}

/// Polls until an asynchronous `condition` holds (one that queries off the pool), sleeping between looks.
func eventually(timeout: Double = 10, _ condition: () async -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}

/// Polls until `condition` holds, sleeping (not blocking its thread) between looks.
func waitUntil(timeout: Double = 10, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}
