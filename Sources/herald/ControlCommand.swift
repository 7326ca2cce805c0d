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
        let (_, configuration) = try options.load(readingSecrets: false)
        let id = JobID(unchecked: "\(type)-\(SpoolReceipt.make())")
        let text = JSONValue.object(["type": .string(type), "id": .string(id.rawValue), "job": .string(campaign)]).jsonText
        do {
            _ = try JobFileCheck(configuration: configuration).validate(Array(text.utf8))
        } catch {
            printError("herald: \(type) \(campaign): \(error)")
            throw ExitCode(1)
        }
        let spool = SpoolDirectory(root: configuration.spoolDirectory)
        try spool.writing {
            try spool.prepare()
            try spool.submit(Array(text.utf8), name: id.rawValue + ".json")
        }
        print("\(type) \(campaign): submitted as job \(id) to \(spool.path(.incoming))")
        guard !noWait else { return }
        if try await !JobFollower(configuration: configuration, timeout: timeout).follow(id, file: "\(type) \(campaign)") { throw ExitCode(1) }
    }
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
