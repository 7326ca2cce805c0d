import ArgumentParser
import Foundation
import HeraldCore
import HeraldModel

/// `herald subscribers [show ID]`: the audience by status, growth source and tag, or one subscriber.
struct SubscribersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscribers",
        abstract: "Show each account's audience (by status, growth source, tag and day), or one subscriber.",
        discussion: "Examples:\n  herald subscribers\n  herald subscribers show 123456789 --account shop_bot",
        subcommands: [Summary.self, Show.self],
        defaultSubcommand: Summary.self
    )

    /// The audience of each account.
    struct Summary: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "summary", abstract: "Subscribers by status, growth source and tag, and who came and left each day (the default).",
            discussion: "Examples:\n  herald subscribers\n  herald subscribers --account shop_bot --format json"
        )
        @OptionGroup var options: ConfigurationOptions
        @Option(help: "One account (default: every configured account).") var account: String?
        @Option(help: "table, json or csv.") var format: ReportCommand.Format = .table
        @Option(help: "Days of comings and goings to show.") var days = 30

        func run() async throws {
            let (_, configuration) = try options.load(readingSecrets: false)
            let accounts = account.map { [$0] } ?? configuration.accounts.keys.sorted()
            if let account, configuration.accounts[account] == nil {
                printError("herald: no account \(account) (accounts: \(configuration.accounts.keys.sorted().joined(separator: ", ")))")
                throw ExitCode(64)
            }
            let store = try openStore(configuration)
            var reports: [AudienceReport] = []
            for name in accounts { reports.append(try await store.audienceReport(account: name, days: days, now: Date())) }
            switch format {
            case .table, .html: print(reports.map(\.table).joined(separator: "\n\n"))
            case .json: print(reports.count == 1 ? reports[0].json : "[" + reports.map(\.json).joined(separator: ",") + "]")
            case .csv: print(reports.map(\.csv).joined(), terminator: "")
            }
        }
    }

    /// One subscriber.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "One subscriber: profile, status, source, tags, deliveries and latest events.",
            discussion: "Example: herald subscribers show 123456789 --account shop_bot"
        )
        @OptionGroup var options: ConfigurationOptions
        @Argument(help: "The subscriber's platform id (Telegram user id, Messenger PSID).") var id: String
        @Option(help: "The account (needed when several have this id).") var account: String?

        func run() async throws {
            let (_, configuration) = try options.load(readingSecrets: false)
            let store = try openStore(configuration)
            var found: [[(String, String)]] = []
            for name in account.map({ [$0] }) ?? configuration.accounts.keys.sorted() {
                if let detail = try await store.subscriberDetail(account: name, platformID: id) { found.append(detail) }
            }
            guard !found.isEmpty else {
                printError("herald: no subscriber \(id)\(account.map { " on \($0)" } ?? "")")
                throw ExitCode(1)
            }
            print(found.map { detail in detail.map { "\($0.0.padding(toLength: 24, withPad: " ", startingAt: 0))\($0.1)" }.joined(separator: "\n") }.joined(separator: "\n\n"))
        }
    }
}

/// The database for reading, or a clear error where there is none.
func openStore(_ configuration: Configuration) throws -> HeraldStore {
    do {
        return try HeraldStore(readingAt: configuration.databasePath)
    } catch {
        printError("herald: \(error)")
        throw ExitCode(1)
    }
}
