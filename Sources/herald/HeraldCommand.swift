import ArgumentParser

/// `herald`: the daemon and its command-line face.
@main
struct HeraldCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "herald",
        abstract: "Conversational marketing on Messenger and Telegram, driven by a spool of JSON job files.",
        discussion: """
            Examples:
              herald demo                                   (the whole job against a loopback simulator, in a minute)
              herald submit --wait spool/examples/telegram-campaign.json
              herald report spring-sale-2026-telegram --format html --output report.html
            """,
        version: "herald 0.1.0 (development build; job schema v1)",
        subcommands: [RunCommand.self, SubmitCommand.self, ValidateCommand.self, ConfigCommand.self, TelegramCommand.self, LinksCommand.self, SimCommand.self, DemoCommand.self, ReportCommand.self, SubscribersCommand.self, StatusCommand.self, QueueCommand.self, PauseCommand.self, ResumeCommand.self, CancelCommand.self, RetryCommand.self, FeedsCommand.self, FeedCommand.self, GrowthCommand.self, PreviewCommand.self, TestSendCommand.self, ReloadCommand.self, BackupCommand.self]
    )
}

/// Options shared by every command that reads the configuration.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (default: $HERALD_CONFIG, then /etc/herald/herald.toml, else embedded defaults).")
    var config: String?

    @Option(name: .long, help: "Spool directory, overriding the configuration.")
    var spool: String?

    @Option(name: .long, help: "State directory (the SQLite database), overriding the configuration.")
    var state: String?
}
