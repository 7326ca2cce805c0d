import Foundation
import Glibc
import Testing

@Suite(.serialized) struct DaemonLifecycleTests {
    @Test func notify_sequence_readyWatchdogReloadStopping() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let listener = try NotifyListener()
        // Given a daemon started as systemd would, with a 2 s watchdog
        let daemon = try DaemonProcess(workspace, environment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "2000000"])
        // Then READY=1 comes with a STATUS line, and WATCHDOG=1 follows at half the interval
        #expect(await listener.waitFor("READY=1"))
        #expect(listener.messages.first?.contains("STATUS=ready:") == true)
        // A reload right after READY=1 must not kill it (SIGHUP is trapped before READY)
        daemon.signal(SIGHUP)
        #expect(await listener.waitFor("RELOADING=1"))
        #expect(await listener.waitFor("WATCHDOG=1", timeout: 3))
        // When SIGHUP arrives, RELOADING=1 (with MONOTONIC_USEC) and READY=1 again
        let before = listener.messages.count
        daemon.signal(SIGHUP)
        #expect(await listener.waitFor("RELOADING=1", from: before))
        #expect(listener.messages.last?.contains("MONOTONIC_USEC=") == true)
        #expect(await listener.waitFor("READY=1", from: before))
        // When SIGTERM arrives, STOPPING=1 and a clean exit
        daemon.signal(SIGTERM)
        #expect(await listener.waitFor("STOPPING=1"))
        let (status, log) = await daemon.stop()
        #expect(status == 0, "\(log)")
        #expect(log.contains("herald stopped"))
    }

    /// The embedded defaults name the spool `spool`, relative and of one component: run in a fresh directory, the
    /// daemon makes it there (it stopped with "The file doesn't exist": it asked to make the name's empty parent).
    @Test func run_inAFreshDirectory_makesASpoolNamedRelatively() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let listener = try NotifyListener()
        let started = try await DaemonProcess.startReady(workspace, listener: listener, arguments: ["--spool", "fresh", "--state", "fresh-state"], directory: workspace.root)
        #expect(started != nil)
        guard let daemon = started else { return }
        #expect(FileManager.default.fileExists(atPath: workspace.root + "/fresh/incoming"))
        #expect(FileManager.default.fileExists(atPath: workspace.root + "/fresh-state"))
        let (status, log) = await daemon.stop()
        #expect(status == 0, "\(log)")
    }

    @Test func reload_whenAccountAdded_acceptsItsJobsWithoutRestart() async throws {
        let workspace = try Workspace(accounts: "[accounts.first]\nplatform = \"telegram\"\n")
        defer { workspace.remove() }
        let listener = try NotifyListener()
        let daemon = try #require(try await DaemonProcess.startReady(workspace, listener: listener))
        let job = #"{"type": "campaign", "account": "second", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "x"}]}}"#
        // Given a job for an account the configuration does not have yet: rejected
        try workspace.drop(job, as: "before.json")
        #expect(await waitUntil { workspace.names("failed").count == 2 })
        // When the account is added and the daemon reloads (with an HTTP client setting changed, which waits for a restart)
        try workspace.writeConfig(accounts: "[dispatch]\nmax_connections = 9\n[accounts.first]\nplatform = \"telegram\"\n[accounts.second]\nplatform = \"telegram\"\n")
        let before = listener.messages.count
        daemon.signal(SIGHUP)
        #expect(await listener.waitFor("RELOADING=1", from: before))
        #expect(await listener.waitFor("READY=1", from: before + 1))
        // Then the same job is accepted
        try workspace.drop(job, as: "after.json")
        #expect(await waitUntil { workspace.names("done").count == 1 })
        // And a broken configuration on reload keeps the one in force
        try Data("this is = = not toml".utf8).write(to: URL(fileURLWithPath: workspace.config))
        daemon.signal(SIGHUP)
        try workspace.drop(job, as: "after-bad-reload.json")
        #expect(await waitUntil { workspace.names("done").count == 2 })
        let (status, log) = await daemon.stop()
        #expect(status == 0)
        #expect(log.contains("configuration reload failed, keeping the one in force"))
        #expect(log.contains("max_connections, request_timeout_seconds and ca_file changes apply at the next restart"))
    }

    @Test func reload_whenACampaignsAccountIsRemoved_failsItOnceWithTheReason() async throws {
        let workspace = try Workspace(accounts: "[accounts.first]\nplatform = \"telegram\"\n[accounts.second]\nplatform = \"telegram\"\n")
        defer { workspace.remove() }
        let listener = try NotifyListener()
        let daemon = try #require(try await DaemonProcess.startReady(workspace, listener: listener))
        // Given a running campaign of an account without a token (nothing can go out)
        try workspace.drop(#"{"type": "subscribers", "account": "second", "action": "import", "subscribers": ["1"]}"#, as: "a.json")
        try workspace.drop(#"{"type": "campaign", "id": "orphan", "account": "second", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "x"}]}}"#, as: "b.json")
        #expect(await waitUntil { workspace.names("done").count == 2 })
        // When its account is removed and the daemon reloads
        try workspace.writeConfig(accounts: "[accounts.first]\nplatform = \"telegram\"\n")
        let before = listener.messages.count
        daemon.signal(SIGHUP)
        #expect(await listener.waitFor("READY=1", from: before + 1))
        // Then the campaign fails, once, with the reason, and its job says so
        let database = workspace.state + "/herald.sqlite"
        #expect(await eventually { (try? await runCommandOffPool(["sqlite3", database, "SELECT state FROM jobs WHERE id = 'orphan'"], executable: "/usr/bin/env").stdout) == "failed\n" })
        let (status, log) = await daemon.stop()
        #expect(status == 0)
        #expect(log.components(separatedBy: "cannot be sent and is failed").count == 2, "\(log)")
        #expect(log.contains("account second has no token"))
    }

    @Test func campaign_withAnEmptyAudience_warnsNamingTheTagsThatExist() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let listener = try NotifyListener()
        let daemon = try #require(try await DaemonProcess.startReady(workspace, listener: listener))
        try workspace.drop(#"{"type": "subscribers", "account": "shop_bot", "action": "import", "subscribers": [{"id": "1", "tags": ["newsletter"]}]}"#, as: "a.json")
        #expect(await waitUntil { workspace.names("done").count == 1 })
        try workspace.drop(#"{"type": "campaign", "id": "vip", "account": "shop_bot", "audience": {"tags": {"include": ["vip"]}}, "message": {"modules": [{"type": "text", "text": "x"}]}}"#, as: "b.json")
        let database = workspace.state + "/herald.sqlite"
        #expect(await eventually { (try? await runCommandOffPool(["sqlite3", database, "SELECT state FROM jobs WHERE id = 'vip'"], executable: "/usr/bin/env").stdout) == "completed\n" })
        let (_, log) = await daemon.stop()
        #expect(log.contains("campaign of job vip has an empty audience (tags: include vip); tags of shop_bot's subscribers: newsletter"), "\(log)")
        #expect(log.contains("campaign of job vip completed: 0 sent, 0 failed, 0 skipped"), "\(log)")
    }

    @Test func sigterm_whileFilesArrive_drainsWithNothingLeftHalfDone() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let listener = try NotifyListener()
        let daemon = try #require(try await DaemonProcess.startReady(workspace, listener: listener))
        // Given a stream of files arriving
        let job = #"{"type": "campaign", "account": "shop_bot", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "x"}]}}"#
        for index in 0..<300 {
            try workspace.drop(job, as: "f\(index).json")
            if index == 150 { daemon.signal(SIGTERM) }
        }
        // When it stops
        let (status, log) = await daemon.stop()
        #expect(status == 0, "\(log)")
        // Then nothing is left claimed-but-unrecorded, and every file is either accepted or still waiting
        #expect(workspace.names("active").isEmpty)
        #expect(workspace.names("failed").isEmpty)
        #expect(workspace.names("done").count + workspace.names("incoming").count == 300)
        // And a restart takes the rest
        let again = try DaemonProcess(workspace)
        #expect(await waitUntil(timeout: 60) { workspace.names("done").count == 300 })
        _ = await again.stop()
    }

    @Test func submitWait_followsTheJobToItsOutcome() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let daemon = try DaemonProcess(workspace)
        let file = packageRoot.appendingPathComponent("spool/examples/subscribers-import.json").path
        let result = try await runCommandOffPool(["submit", "--config", workspace.config, "--wait", "--timeout", "20", file])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("submitted as job import-2026-11-newsletter"))
        #expect(result.stdout.contains("subscribers job import-2026-11-newsletter: completed — import on shop_bot: 3 new, 0 updated"))
        // A duplicate is refused before anything is dropped, with exit status 1
        let again = try await runCommandOffPool(["submit", "--config", workspace.config, "--wait", "--timeout", "20", file])
        #expect(again.status == 1)
        #expect(again.stderr.contains("id: duplicate job id \"import-2026-11-newsletter\""))
        // A job the daemon rejects is reported with the daemon's reason
        let unknown = workspace.root + "/unknown-target.json"
        try Data(#"{"type": "cancel", "job": "nope"}"#.utf8).write(to: URL(fileURLWithPath: unknown))
        let rejected = try await runCommandOffPool(["submit", "--config", workspace.config, "--wait", "--timeout", "20", unknown])
        #expect(rejected.status == 1)
        #expect(rejected.stdout.contains("rejected: job: no job with id \"nope\""))
        _ = await daemon.stop()
    }
}

@Suite(.serialized) struct WatchdogAndJournalTests {
    static let isRoot = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/lib/systemd/systemd-journald")

    @Test(.enabled(if: isRoot, "needs root for a private journald in a mount namespace"))
    func journal_entriesCarryStructuredFields() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let job = packageRoot.appendingPathComponent("spool/examples/telegram-campaign.json").path
        let script = """
            set -e
            mount -t tmpfs tmpfs /run/systemd && mkdir -p /run/systemd/journal
            mount -t tmpfs tmpfs /run/log && mkdir -p /run/log/journal
            if [ -d /var/log/journal ]; then mount -t tmpfs tmpfs /var/log/journal; fi
            /lib/systemd/systemd-journald & journald=$!
            herald=
            trap 'kill $journald $herald 2>/dev/null || true' EXIT
            for i in $(seq 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.05; done
            HERALD_LOG_TARGET=journal "$0" run --config "$1" & herald=$!
            for i in $(seq 200); do [ -d "$3/incoming" ] && break; sleep 0.05; done
            cp "$2" "$3/incoming/campaign.json"
            for i in $(seq 200); do [ -n "$(ls "$3/done")" ] && break; sleep 0.05; done
            kill -TERM $herald
            wait $herald || { status=$?; echo "herald exited with $status" >&2; journalctl -o cat --no-pager SYSLOG_IDENTIFIER=herald >&2; exit 1; }
            herald=
            sleep 0.2
            journalctl -o json --no-pager HERALD_JOB_ID=spring-sale-2026-telegram
            """
        let result = try await runCommandOffPool(
            ["60", "unshare", "--mount", "--fork", "bash", "-c", script, heraldBinary, workspace.config, job, workspace.spool],
            executable: "/usr/bin/timeout"
        )
        #expect(result.status == 0, "\(result.stderr)")
        let entries = result.stdout.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
        let accepted = try #require(entries.first { ($0["HERALD_EVENT"] as? String) == "accepted" }, "\(result.stdout)")
        #expect(accepted["SYSLOG_IDENTIFIER"] as? String == "herald")
        #expect(accepted["PRIORITY"] as? String == "6")
        #expect(accepted["HERALD_ACCOUNT"] as? String == "shop_bot")
        #expect(accepted["HERALD_JOB_KIND"] as? String == "campaign")
        #expect(accepted["HERALD_FILE"] as? String == "campaign.json")
        #expect((accepted["MESSAGE"] as? String)?.hasPrefix("accepted campaign.json as job spring-sale-2026-telegram") == true)
        #expect((accepted["CODE_FILE"] as? String)?.hasSuffix("SpoolIntake.swift") == true)
        #expect(Int(accepted["CODE_LINE"] as? String ?? "") != nil)
        #expect((accepted["CODE_FUNC"] as? String)?.isEmpty == false)
    }
}
