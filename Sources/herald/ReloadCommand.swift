import ArgumentParser
import Foundation
import HeraldCore

/// `herald reload`: SIGHUP to the daemon, then its verdict; systemd's ExecReload, so that a refused
/// configuration makes `systemctl reload herald` fail.
struct ReloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Reload the running daemon's configuration and wait for the outcome; exits 1 when it was refused.",
        discussion: """
            Sends SIGHUP to the daemon holding the state directory (or --pid) and waits for it to record the \
            reload in state_dir/reload.json. A configuration that fails to load is refused, the one in force stays, \
            and this command prints why. What `systemctl reload herald` runs.
            Examples:
              herald reload
              herald reload --pid 4242 --timeout 60
            """
    )

    @OptionGroup var options: ConfigurationOptions
    @Option(help: "The daemon's PID (systemd passes $MAINPID); default: the one holding the state directory's lock.") var pid: Int32?
    @Option(help: "Give up after this many seconds.") var timeout: Double = 30

    func run() async throws {
        let loader = ConfigurationLoader(readsSecrets: false)
        var configuration: Configuration
        do {
            configuration = try loader.load(path: loader.resolvePath(explicit: options.config))
        } catch {
            // Checked here first so that the reason is shown where the reload was asked for; the daemon would refuse it too.
            printError("herald: the configuration cannot be loaded, so the daemon keeps the one in force: \(error)")
            throw ExitCode(1)
        }
        if let spool = options.spool { configuration.spoolDirectory = spool }
        if let state = options.state { configuration.stateDirectory = state }
        let state = configuration.stateDirectory
        guard let target = pid ?? Self.lockHolder(stateDirectory: state) else {
            printError("herald: no daemon is running with the state directory \(state)")
            throw ExitCode(1)
        }
        let before = ReloadRecord.read(stateDirectory: state)
        guard kill(target, SIGHUP) == 0 else {
            let reason = errno == EPERM ? "not allowed to signal it (run as root or as the daemon's user)" : String(cString: strerror(errno))
            printError("herald: cannot signal the daemon (PID \(target)): \(reason)")
            throw ExitCode(1)
        }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let record = ReloadRecord.read(stateDirectory: state), record.pid == target,
               before == nil || before?.pid != target || record.count > (before?.count ?? 0) {
                guard record.ok else {
                    printError("herald: the daemon refused the new configuration and keeps the one in force: \(record.error ?? "no reason given")")
                    throw ExitCode(1)
                }
                print("configuration reloaded (daemon PID \(target))")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        printError("herald: the daemon (PID \(target)) did not record the reload within \(Int(timeout)) s")
        throw ExitCode(1)
    }

    /// The PID in the state directory's lock, when a daemon holds it: from the kernel's lock table, else from
    /// the file (a sandbox may hide /proc/locks).
    static func lockHolder(stateDirectory: String) -> Int32? {
        switch StateLock.holding(stateDirectory: stateDirectory) {
        case .held(let pid): return pid
        case .free: return nil
        case .unknown:
            // The file outlives its daemon: signal the PID only if it is a herald still.
            guard let text = try? String(contentsOfFile: stateDirectory + "/herald.lock", encoding: .utf8),
                  let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                  let name = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8), name.hasPrefix("herald")
            else { return nil }
            return pid
        }
    }
}
