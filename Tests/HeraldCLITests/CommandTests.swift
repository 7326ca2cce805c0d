import Foundation
import Testing

@Suite struct CommandTests {
    @Test func validate_whenExamples_passes() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let examples = packageRoot.appendingPathComponent("spool/examples").path
        let files = try FileManager.default.contentsOfDirectory(atPath: examples).filter { $0.hasSuffix(".json") && $0 != "subscribers-file.json" }.sorted()
        let result = try await runCommandOffPool(["validate", "--config", workspace.config] + files.map { examples + "/" + $0 })
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").count == files.count)
        #expect(result.stdout.contains("telegram-campaign.json: ok (campaign for shop_bot, id spring-sale-2026-telegram)"))
    }

    @Test func validate_whenInvalid_exitsOneWithPathAndReason() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let bad = #"{"type": "campaign", "account": "shop_bot", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "x"}, {"type": "image", "url": "ftp://x.example/a.png"}]}}"#
        let result = try await runCommandOffPool(["validate", "--config", workspace.config, "-"], input: bad)
        #expect(result.status == 1)
        #expect(result.stdout == "-: message.modules[1].url: must be an https URL, not a \"ftp\" URL\n")
    }

    @Test func validate_whenSendAtIsPast_warnsAndStillPasses() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let late = #"{"type": "campaign", "account": "shop_bot", "audience": {"all": true}, "send_at": "2020-01-01T09:00:00Z", "message": {"modules": [{"type": "text", "text": "x"}]}}"#
        let result = try await runCommandOffPool(["validate", "--config", workspace.config, "-"], input: late)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines.last?.hasPrefix("-: warning: send_at 2020-01-01T09:00:00Z is already past (by ") == true, "\(lines)")
        #expect(lines.last?.hasSuffix("the campaign goes out as soon as it is accepted; give it an expires_at if it must not go out late") == true)
    }

    @Test func submit_whenNoDaemon_dropsAtomicallyAndInjectsID() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let result = try await runCommandOffPool(["submit", "--config", workspace.config, "-"], input: #"{"type": "pause", "job": "x"}"#)
        #expect(result.status == 0, "\(result.stderr)")
        let words = result.stdout.split(separator: " ")
        let id = try #require(words.count > 4 ? String(words[words.count - 3]) : nil)
        #expect(id.hasPrefix("j-"))
        #expect(result.stdout == "-: submitted as job \(id) to \(workspace.spool)/incoming\n")
        // Nothing holds the state directory's lock: the submitter is told the job waits
        #expect(result.stderr.contains("warning: no daemon is running with the state directory"), "\(result.stderr)")
        #expect(workspace.names("incoming") == ["\(id).json"])
        #expect(workspace.names("tmp").isEmpty)
        let text = try String(contentsOfFile: workspace.spool + "/incoming/\(id).json", encoding: .utf8)
        #expect(text == #"{"id":"\#(id)","type": "pause", "job": "x"}"#)
    }

    @Test func submit_whenAnyFileInvalid_submitsNothing() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let good = packageRoot.appendingPathComponent("spool/examples/pause.json").path
        let bad = workspace.root + "/bad.json"
        try Data(#"{"type": "pause"}"#.utf8).write(to: URL(fileURLWithPath: bad))
        let result = try await runCommandOffPool(["submit", "--config", workspace.config, good, bad])
        #expect(result.status == 1)
        #expect(result.stderr.contains("bad.json: job: is required"))
        #expect(result.stderr.contains("nothing submitted"))
        #expect(workspace.names("incoming").isEmpty)
        // A rejected file with a readable id is named by its job id too, by submit and by validate
        let named = workspace.root + "/named.json"
        try Data(#"{"type": "pause", "id": "stop-spring"}"#.utf8).write(to: URL(fileURLWithPath: named))
        #expect(try await runCommandOffPool(["submit", "--config", workspace.config, named]).stderr.contains("named.json (job stop-spring): job: is required"))
        #expect(try await runCommandOffPool(["validate", "--config", workspace.config, named]).stdout.contains("named.json (job stop-spring): job: is required"))
    }

    @Test func submit_whenNameTaken_neverOverwritesTheWaitingFile() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let file = packageRoot.appendingPathComponent("spool/examples/pause.json").path
        #expect(try await runCommandOffPool(["submit", "--config", workspace.config, file]).status == 0)
        #expect(try await runCommandOffPool(["submit", "--config", workspace.config, file]).status == 0)
        #expect(workspace.names("incoming").count == 2)
    }

    @Test func configCheck_printsResolvedConfigurationWithSecretsRedacted() async throws {
        let workspace = try Workspace(accounts: "[accounts.bot]\nplatform = \"telegram\"\ntoken_file = \"bot.token\"\n")
        defer { workspace.remove() }
        let token = workspace.root + "/bot.token"
        try Data("999:TOPSECRET\n".utf8).write(to: URL(fileURLWithPath: token))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: token)
        let result = try await runCommandOffPool(["config", "check", "--config", workspace.config])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("[accounts.bot]"))
        #expect(result.stdout.contains("token = \"<redacted>\""))
        #expect(!result.stdout.contains("TOPSECRET") && !result.stderr.contains("TOPSECRET"))
        // Readable by the service's group (root:herald 0640) is the common pattern, and accepted
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: token)
        #expect(try await runCommandOffPool(["config", "check", "--config", workspace.config]).status == 0)
        // A secret others can read is refused, without printing it
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: token)
        let refused = try await runCommandOffPool(["config", "check", "--config", workspace.config])
        #expect(refused.status == 78)
        #expect(refused.stderr.contains("readable by others"))
        #expect(!refused.stderr.contains("TOPSECRET"))
        // And so does the daemon: it refuses to start
        let run = try await runCommandOffPool(["run", "--config", workspace.config])
        #expect(run.status == 78)
    }
}
