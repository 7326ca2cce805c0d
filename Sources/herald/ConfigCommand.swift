import ArgumentParser
import HeraldCore

/// `herald config check`: validate the configuration and print it resolved, secrets redacted.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Configuration tools.", discussion: "Example: herald config check", subcommands: [Check.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check", abstract: "Validate the configuration and print it, secrets redacted.",
            discussion: "Examples:\n  herald config check\n  herald config check --config /etc/herald/herald.toml"
        )

        @OptionGroup var options: ConfigurationOptions

        func run() throws {
            let (path, configuration) = try options.load()
            print(ConfigurationReport(configuration: configuration, path: path).text, terminator: "")
        }
    }
}
