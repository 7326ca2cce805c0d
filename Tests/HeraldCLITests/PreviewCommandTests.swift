import Foundation
import Glibc
import HeraldTesting
import Testing

/// `herald preview`: the requests a job would make, read back, with warnings from the audience.
@Suite(.serialized) struct PreviewCommandTests {
    static let job = #"""
        {"type": "campaign", "id": "hello-all", "account": "shop_bot", "audience": {"all": true},
         "message": {"modules": [{"type": "text", "text": "Hi {{#first_name}}{{first_name}}{{/first_name}}{{^first_name}}friend{{/first_name}} from {{fields.city}}",
                                  "buttons": [{"type": "url", "title": "Open", "url": "https://shop.example/p"}]}]}}
        """#

    @Test func preview_rendersForAStoredSubscriber_andCountsWhoSeesAFallback() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        // Given three subscribers, one without a first name and two without a city
        let daemon = try DaemonProcess(workspace)
        let people = #"[{"id": "11", "first_name": "Ada", "fields": {"city": "Rome"}}, {"id": "12", "first_name": "Bo"}, {"id": "13"}]"#
        try workspace.drop(#"{"type": "subscribers", "account": "shop_bot", "action": "import", "subscribers": \#(people)}"#, as: "import.json")
        #expect(await waitUntil { workspace.names("done").count == 1 })
        _ = await daemon.stop()
        let file = workspace.root + "/hello.json"
        try Data(Self.job.utf8).write(to: URL(fileURLWithPath: file))

        // When previewed for Ada
        let result = try await runCommandOffPool(["preview", file, "--subscriber", "11", "--config", workspace.config])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "Preview of \(file) (job hello-all, campaign on shop_bot, telegram) for subscriber 11 (Ada):")
        #expect(lines.contains("1 of 1 · POST https://api.telegram.org/bot<token>/sendMessage"), "\(result.stdout)")
        #expect(lines.contains(#"{"chat_id":11,"text":"Hi Ada from Rome","parse_mode":"HTML","reply_markup":{"inline_keyboard":[[{"text":"Open","url":"https://shop.example/p"}]]}}"#), "\(result.stdout)")
        #expect(lines.contains("  │ Hi Ada from Rome"))
        #expect(lines.contains("  │ [ Open ] → https://shop.example/p"))
        #expect(lines.contains("note: links go out as tracked links (https://herald.example.com/c/…, one per recipient) that redirect to the addresses shown"))
        // Then the audience's gaps are counted
        #expect(lines.contains("warning: first_name is empty for 1 of 3 in the audience (33 %): they see the fallback, or nothing"), "\(result.stdout)")
        #expect(lines.contains("warning: fields.city is empty for 2 of 3 in the audience (67 %): they see the fallback, or nothing"), "\(result.stdout)")

        // The JSON form carries the same request, and for a profile made up on the command line
        let json = try await runCommandOffPool(["preview", file, "--as", "first_name=Zoë", "--as", "fields.city=Oslo", "--format", "json", "--config", workspace.config])
        #expect(json.status == 0, "\(json.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let calls = try #require(document["calls"] as? [[String: Any]])
        #expect(calls.count == 1)
        #expect(calls.first?["url"] as? String == "https://api.telegram.org/bot<token>/sendMessage")
        #expect((calls.first?["body"] as? [String: Any])?["text"] as? String == "Hi Zoë from Oslo")
        #expect(document["job_id"] as? String == "hello-all")
        #expect((document["warnings"] as? [String])?.count == 2)
    }

    @Test func preview_whenAskedWrongly_saysWhatIsWrong() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let file = workspace.root + "/hello.json"
        try Data(Self.job.utf8).write(to: URL(fileURLWithPath: file))
        let noDatabase = try await runCommandOffPool(["preview", file, "--subscriber", "11", "--config", workspace.config])
        #expect(noDatabase.status == 1)
        #expect(noDatabase.stderr.contains("--subscriber needs the database at \(workspace.state)/herald.sqlite"), "\(noDatabase.stderr)")
        let badAs = try await runCommandOffPool(["preview", file, "--as", "nickname=x", "--config", workspace.config])
        #expect(badAs.status != 0)
        #expect(badAs.stderr.contains("NAME is first_name, last_name, username, locale or fields.NAME"), "\(badAs.stderr)")
        let control = packageRoot.appendingPathComponent("spool/examples/pause.json").path
        let notAMessage = try await runCommandOffPool(["preview", control, "--config", workspace.config])
        #expect(notAMessage.stderr.contains("only campaign and message jobs send a message to preview"), "\(notAMessage.stderr)")
        let long = workspace.root + "/long.json"
        try Data(#"{"type": "campaign", "account": "shop_bot", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "\#(String(repeating: "x", count: 4090)){{first_name}}"}]}}"#.utf8)
            .write(to: URL(fileURLWithPath: long))
        let tooLong = try await runCommandOffPool(["preview", long, "--as", "first_name=Bartholomew", "--config", workspace.config])
        #expect(tooLong.status == 1)
        #expect(tooLong.stderr.contains("the message cannot be sent: the text is 4101 characters after personalisation; Telegram allows 4096"), "\(tooLong.stderr)")
    }

    @Test func testSend_sendsOneCopyNow_toAStoredSubscriber_outsideTheReports() async throws {
        let server = try await PlatformServer.start()
        let workspace = try Workspace.withBot(on: server)
        defer { workspace.remove() }
        let daemon = try DaemonProcess(workspace)
        defer { daemon.signal(SIGKILL) }
        try workspace.drop(#"{"type": "subscribers", "account": "shop_bot", "action": "import", "subscribers": [{"id": "11", "first_name": "Ada", "fields": {"city": "Rome"}}, {"id": "12"}]}"#, as: "import.json")
        #expect(await waitUntil { workspace.names("done").count == 1 })
        let file = workspace.root + "/hello.json"
        try Data(Self.job.utf8).write(to: URL(fileURLWithPath: file))

        // When a test copy goes to Ada
        let result = try await runCommandOffPool(["test-send", file, "--to", "11", "--config", workspace.config])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("test-send of hello-all to 11: submitted as job test-"), "\(result.stdout)")
        #expect(result.stdout.contains("completed — 1 sent"), "\(result.stdout)")
        // Then exactly one request went out, personalised from her stored profile, and nobody else got anything
        let requests = try server.requests().filter { $0.path.hasSuffix("/sendMessage") }
        #expect(requests.count == 1)
        #expect(requests.first?.body.contains(#""text":"Hi Ada from Rome""#) == true, "\(requests)")
        #expect(requests.first?.body.contains(#""chat_id":11"#) == true)
        // And the campaign itself was not submitted, and the test is in no report
        let report = try await runCommandOffPool(["report", "--config", workspace.config])
        #expect(report.stdout == "No campaigns yet.\n", "\(report.stdout)")

        // A test to someone who is not a subscriber is refused by the daemon, saying so; nobody is added
        let stranger = try await runCommandOffPool(["test-send", file, "--to", "99", "--config", workspace.config])
        #expect(stranger.status == 1)
        #expect(stranger.stdout.contains("rejected: to[0]: no subscriber 99 on account shop_bot: a test goes to existing subscribers"), "\(stranger.stdout)")
        let missing = try await runCommandOffPool(["test-send", file, "--config", workspace.config])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("--to ID is required"), "\(missing.stderr)")
        _ = await daemon.stop()
    }
}
