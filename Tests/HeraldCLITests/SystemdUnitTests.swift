import Foundation
import Glibc
import Testing

/// The unit file as systemd reads it, and `herald reload`, its ExecReload.
@Suite(.serialized) struct SystemdUnitTests {
    static let hasAnalyze = FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze")
    static let unit = packageRoot.appendingPathComponent("systemd/herald.service").path

    /// The unit with its binary pointed at the one under test (the package installs it at /usr/bin/herald).
    func localUnit() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("herald-unit-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let text = try String(contentsOfFile: Self.unit, encoding: .utf8).replacingOccurrences(of: "/usr/bin/herald", with: heraldBinary)
        try text.write(toFile: directory + "/herald.service", atomically: true, encoding: .utf8)
        return directory + "/herald.service"
    }

    @Test(.enabled(if: hasAnalyze, "needs systemd-analyze (apt: systemd)"))
    func unit_verifiesWithoutAWord() async throws {
        let path = try localUnit()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        // The man page comes with the package; the system test verifies the installed unit with it.
        let result = try await runCommandOffPool(["verify", "--man=no", path], executable: "/usr/bin/systemd-analyze")
        #expect(result.status == 0 && result.stdout.isEmpty && result.stderr.isEmpty, "\(result.stdout)\(result.stderr)")
    }

    @Test(.enabled(if: hasAnalyze, "needs systemd-analyze (apt: systemd)"))
    func unit_exposureIsAtMostTwo() async throws {
        let result = try await runCommandOffPool(["security", "--offline=true", Self.unit], executable: "/usr/bin/systemd-analyze")
        let line = result.stdout.split(separator: "\n").first { $0.contains("Overall exposure level") } ?? ""
        let score = line.split(separator: " ").compactMap { Double($0) }.first
        #expect(score.map { $0 <= 2.0 } == true, "\(result.stdout)")
    }

    static let hasSysusers = FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-sysusers") && FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-tmpfiles")

    @Test(.enabled(if: hasSysusers && getuid() == 0, "needs root, systemd-sysusers and systemd-tmpfiles"))
    func sysusersAndTmpfiles_makeTheUserTheWriterGroupAndTheSpool() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("herald-root-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sysusers = try await runCommandOffPool(["--root=" + root, packageRoot.appendingPathComponent("systemd/herald.sysusers").path], executable: "/usr/bin/systemd-sysusers")
        #expect(sysusers.status == 0, "\(sysusers.stderr)")
        let passwd = try String(contentsOfFile: root + "/etc/passwd", encoding: .utf8)
        let group = try String(contentsOfFile: root + "/etc/group", encoding: .utf8)
        let user = try #require(passwd.split(separator: "\n").first { $0.hasPrefix("herald:") }?.split(separator: ":", omittingEmptySubsequences: false))
        #expect(user[5] == "/var/lib/herald" && user[6] == "/usr/sbin/nologin")
        let submit = try #require(group.split(separator: "\n").first { $0.hasPrefix("herald-submit:") }?.split(separator: ":", omittingEmptySubsequences: false))
        #expect(submit[3] == "herald", "the daemon reads what the writers drop")
        let tmpfiles = try await runCommandOffPool(["--create", "--root=" + root, packageRoot.appendingPathComponent("systemd/herald.tmpfiles").path], executable: "/usr/bin/systemd-tmpfiles")
        #expect(tmpfiles.status == 0, "\(tmpfiles.stderr)")
        func owner(_ path: String) -> String {
            var info = stat()
            guard stat(root + path, &info) == 0 else { return "missing" }
            return "\(String(info.st_mode & 0o7777, radix: 8)) \(info.st_uid) \(info.st_gid)"
        }
        let uid = user[2], gid = submit[2], ownGroup = user[3]
        #expect(owner("/var/spool/herald") == "2750 \(uid) \(gid)")
        for folder in ["tmp", "incoming", "data"] { #expect(owner("/var/spool/herald/" + folder) == "2770 \(uid) \(gid)", "\(folder)") }
        for folder in ["active", "done", "failed"] { #expect(owner("/var/spool/herald/" + folder) == "2750 \(uid) \(gid)", "\(folder)") }
        #expect(owner("/var/lib/herald") == "750 \(uid) \(ownGroup)")
    }

    @Test func unit_declaresWhatTheDaemonRelies_on() throws {
        let text = try String(contentsOfFile: Self.unit, encoding: .utf8)
        for line in [
            "Type=notify", "NotifyAccess=main", "WatchdogSec=30s", "Restart=on-failure", "RestartPreventExitStatus=78", "User=herald",
            "StateDirectory=herald", "UMask=0027", "ReadWritePaths=/var/spool/herald", "ExecReload=/usr/bin/herald reload --config /etc/herald/herald.toml --pid $MAINPID",
        ] {
            #expect(text.contains("\n" + line + "\n"), "\(line)")
        }
        // The stop budget covers the default drain (30 s) with a margin
        #expect(text.contains("\nTimeoutStopSec=45s\n"))
    }

    @Test func reload_reportsTheDaemonsVerdict_andFailsWhenTheConfigurationIsRefused() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let none = try await runCommandOffPool(["reload", "--config", workspace.config])
        #expect(none.status == 1)
        #expect(none.stderr.contains("no daemon is running with the state directory"), "\(none.stderr)")
        let daemon = try DaemonProcess(workspace)
        defer { daemon.signal(SIGKILL) }
        #expect(await waitUntil { FileManager.default.fileExists(atPath: workspace.state + "/herald.lock") })
        _ = await daemon.httpPort()
        let good = try await runCommandOffPool(["reload", "--config", workspace.config])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout == "configuration reloaded (daemon PID \(daemon.process.processIdentifier))\n")
        // A file that does not parse is refused before the daemon is asked, saying why
        let original = try String(contentsOfFile: workspace.config, encoding: .utf8)
        try (original + "\nrate = \n").write(toFile: workspace.config, atomically: true, encoding: .utf8)
        let broken = try await runCommandOffPool(["reload", "--pid", "\(daemon.process.processIdentifier)", "--config", workspace.config])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("the configuration cannot be loaded, so the daemon keeps the one in force:"), "\(broken.stderr)")
        #expect(broken.stderr.contains("a setting needs a value after '='"), "\(broken.stderr)")
        // One that only the daemon can judge (it reads the secrets) is refused by the daemon, with its reason
        let token = workspace.root + "/open.token"
        try Data("123:abc\n".utf8).write(to: URL(fileURLWithPath: token))
        chmod(token, 0o644)
        try workspace.writeConfig(accounts: "[accounts.shop_bot]\nplatform = \"telegram\"\ntoken_file = \"\(token)\"\n")
        let refused = try await runCommandOffPool(["reload", "--config", workspace.config])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("the daemon refused the new configuration and keeps the one in force:"), "\(refused.stderr)")
        #expect(refused.stderr.contains("readable by others (mode 644)"), "\(refused.stderr)")
        #expect(daemon.process.isRunning)
        try original.write(toFile: workspace.config, atomically: true, encoding: .utf8)
        #expect(try await runCommandOffPool(["reload", "--config", workspace.config]).status == 0)
        let (status, _) = await daemon.stop()
        #expect(status == 0)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "needs sqlite3"))
    func backup_copiesTheDatabaseBesideTheRunningDaemon_privately() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let daemon = try DaemonProcess(workspace)
        defer { daemon.signal(SIGKILL) }
        try workspace.drop(#"{"type": "subscribers", "id": "b-1", "account": "shop_bot", "action": "import", "subscribers": ["1", "2"]}"#, as: "import.json")
        #expect(await waitUntil { workspace.names("done").count == 1 })
        let copy = workspace.root + "/copy.sqlite"
        let result = try await runCommandOffPool(["backup", copy, "--config", workspace.config])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("backed up \(workspace.state)/herald.sqlite to \(copy) ("), "\(result.stdout)")
        let count = try await runCommandOffPool(["sqlite3", copy, "SELECT count(*) FROM subscribers; SELECT id FROM jobs"], executable: "/usr/bin/env").stdout
        #expect(count == "2\nb-1\n", "\(count)")
        var info = stat()
        #expect(stat(copy, &info) == 0 && info.st_mode & 0o777 == 0o640)
        // Never over an existing file
        let again = try await runCommandOffPool(["backup", copy, "--config", workspace.config])
        #expect(again.status == 1 && again.stderr.contains("exists already"), "\(again.stderr)")
        _ = await daemon.stop()
    }
}
