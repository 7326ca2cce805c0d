import ArgumentParser
import Foundation
import HeraldCore
import HeraldModel

/// What `pause`, `resume` and `cancel` share: a control job written through the spool (the only way in), and
/// its outcome followed until the daemon has recorded it.
struct ControlOptions: ParsableArguments {
    @OptionGroup var options: ConfigurationOptions
    @Argument(help: "The campaign's job id (herald report lists them).") var campaign: String
    @Flag(help: "Only drop the control job; do not wait for the daemon to record it.") var noWait = false
    @Option(help: "Give up waiting after this many seconds.") var timeout: Double = 30

    func submit(_ type: String) async throws {
        try await submitControl(type, fields: ["job": .string(campaign)], label: "\(type) \(campaign)", options: options, noWait: noWait, timeout: timeout)
    }
}

/// Writes a job the command line makes (`{"type": TYPE, "id": PREFIX-…, FIELDS…}`: a control, a retry, a test copy)
/// through the spool, validated as the daemon would, and follows it to its outcome unless `noWait`.
func submitControl(_ type: String, fields: JSONObject, label: String, options: ConfigurationOptions, noWait: Bool, timeout: Double, idPrefix: String? = nil) async throws {
    let (_, configuration) = try options.load(readingSecrets: false)
    let id = JobID(unchecked: "\(idPrefix ?? type)-\(SpoolReceipt.make())")
    var object: JSONObject = ["type": .string(type), "id": .string(id.rawValue)]
    for key in fields.keys { _ = object.insert(key, fields[key]!) }
    let text = JSONValue.object(object).jsonText
    do {
        _ = try JobFileCheck(configuration: configuration).validate(Array(text.utf8))
    } catch {
        printError("herald: \(label): \(error)")
        throw ExitCode(1)
    }
    let spool = SpoolDirectory(root: configuration.spoolDirectory)
    try spool.writing {
        try spool.prepare()
        try spool.submit(Array(text.utf8), name: id.rawValue + ".json")
    }
    print("\(label): submitted as job \(id) to \(spool.path(.incoming))")
    guard !noWait else { return }
    if try await !JobFollower(configuration: configuration, timeout: timeout).follow(id, file: label, name: id.rawValue + ".json") { throw ExitCode(1) }
}

/// `herald pause CAMPAIGN`.
struct PauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause", abstract: "Pause a campaign: nothing more is sent until it is resumed.",
        discussion: "Writes {\"type\": \"pause\", \"job\": CAMPAIGN} through the spool. Example: herald pause spring-sale-2026-telegram"
    )
    @OptionGroup var control: ControlOptions
    func run() async throws { try await control.submit("pause") }
}

/// `herald resume CAMPAIGN`.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "Resume a paused campaign.",
        discussion: "Writes {\"type\": \"resume\", \"job\": CAMPAIGN} through the spool. Example: herald resume spring-sale-2026-telegram"
    )
    @OptionGroup var control: ControlOptions
    func run() async throws { try await control.submit("resume") }
}

/// `herald cancel CAMPAIGN`.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a campaign: what is not sent yet is skipped (reason cancelled).",
        discussion: "Writes {\"type\": \"cancel\", \"job\": CAMPAIGN} through the spool. Example: herald cancel black-friday-reminder"
    )
    @OptionGroup var control: ControlOptions
    func run() async throws { try await control.submit("cancel") }
}

/// `herald retry CAMPAIGN | --failed-since TIME`.
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "Put failed deliveries back: due now, their failures kept in the history.",
        discussion: """
            Writes {"type": "retry", "job": CAMPAIGN, "failed_since": TIME} through the spool. Subscribers who blocked the bot or \
            left are never retried; a completed campaign runs again; a cancelled or expired one is left alone.
            Examples:
              herald retry spring-sale-2026-telegram
              herald retry --failed-since 6h                       (every campaign's failures of the last six hours)
              herald retry spring-sale-2026-telegram --failed-since 2026-12-06T09:00:00Z
            """
    )
    @OptionGroup var options: ConfigurationOptions
    @Argument(help: "The campaign's job id (herald report lists them); omit it with --failed-since for every campaign.") var campaign: String?
    @Option(help: "Only failures since this time: an ISO 8601 time with its offset (2026-12-06T09:00:00Z) or an age (30m, 6h, 2d).")
    var failedSince: String?
    @Flag(help: "Only drop the retry job; do not wait for the daemon to record it.") var noWait = false
    @Option(help: "Give up waiting after this many seconds.") var timeout: Double = 30

    func validate() throws {
        guard campaign != nil || failedSince != nil else { throw ValidationError("name a campaign, --failed-since TIME, or both") }
        if let failedSince { _ = try Self.time(failedSince, now: Date()) }
    }

    func run() async throws {
        var fields: JSONObject = [:]
        if let campaign { _ = fields.insert("job", .string(campaign)) }
        if let failedSince { _ = fields.insert("failed_since", .string(try Self.time(failedSince, now: Date()))) }
        let label = "retry " + [campaign, failedSince.map { "failed since \($0)" }].compactMap { $0 }.joined(separator: ", ")
        try await submitControl("retry", fields: fields, label: label, options: options, noWait: noWait, timeout: timeout)
    }

    /// The job's `failed_since`: an ISO time as given, or an age (`30m`, `6h`, `2d`) counted back from `now`.
    static func time(_ text: String, now: Date) throws -> String {
        if let unit = text.last, let amount = Double(text.dropLast()), amount >= 0, let seconds = ["m": 60.0, "h": 3600, "d": 86400][String(unit)] {
            let formatter = ISO8601DateFormatter()
            return formatter.string(from: now.addingTimeInterval(-amount * seconds))
        }
        guard text.count >= 16, text.contains("T") else {
            throw ValidationError("--failed-since \(text): give a time with its offset (2026-12-06T09:00:00Z) or an age (30m, 6h, 2d)")
        }
        return text
    }
}
