import ArgumentParser
import Foundation
import HeraldCore
import HeraldModel

/// `herald test-send JOB.json --to ID`: one copy of a job's message, now, to the people checking it.
struct TestSendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test-send",
        abstract: "Send one copy of a campaign or message job to a subscriber now, recorded as a test.",
        discussion: """
            Writes a message job marked "test": true through the spool, with the job's account, message and \
            options, to existing subscribers only (each personalised from their stored profile). The daemon \
            sends it ahead of campaigns; it stays out of campaign reports. The job file itself is not submitted.

            Examples:
              herald test-send spring.json --to 123456789
              herald test-send spring.json --to 123456789 --to 987654321
            """
    )

    @OptionGroup var options: ConfigurationOptions
    @Argument(help: "A campaign or message job file; - reads standard input.") var file: String
    @Option(help: "A subscriber of the job's account to send the copy to (Telegram chat id or Messenger PSID); repeatable, up to 10.")
    var to: [String] = []
    @Flag(help: "Only drop the test job; do not wait for its outcome.") var noWait = false
    @Option(help: "Give up waiting after this many seconds.") var timeout: Double = 60

    func validate() throws {
        if to.isEmpty { throw ValidationError("--to ID is required: the subscriber who gets the test copy") }
        if to.count > MessageJob.maxTestRecipients { throw ValidationError("a test goes to at most \(MessageJob.maxTestRecipients) subscribers") }
    }

    func run() async throws {
        let (_, configuration) = try options.load(readingSecrets: false)
        let check = JobFileCheck(configuration: configuration)
        let (_, document, bytes) = try MessageJobFile.read(file, check: check, purpose: "test")
        guard case .object(let source) = document else { throw ExitCode(1) }
        var fields: JSONObject = [:]
        for key in ["account", "message", "options"] { if let value = source[key] { _ = fields.insert(key, value) } }
        _ = fields.insert("to", .array(to.map(JSONValue.string)))
        _ = fields.insert("test", .bool(true))
        let of = check.readableID(bytes).map(\.rawValue) ?? URL(fileURLWithPath: file).lastPathComponent
        try await submitControl("message", fields: fields, label: "test-send of \(of) to \(to.joined(separator: ", "))", options: options, noWait: noWait, timeout: timeout, idPrefix: "test")
    }
}
