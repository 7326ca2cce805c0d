import ArgumentParser
import Foundation
import HeraldCore
import HeraldModel

/// `herald subscribers [show ID]`: the audience by status, growth source and tag, or one subscriber.
struct SubscribersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscribers",
        abstract: "Show each account's audience (by status, growth source, tag and day), or one subscriber.",
        discussion: "Examples:\n  herald subscribers\n  herald subscribers show 123456789 --account shop_bot\n  herald subscribers forget 123456789 --account shop_bot",
        subcommands: [Summary.self, Show.self, Forget.self],
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

extension SubscribersCommand {
    /// Erases one person's personal data.
    struct Forget: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "forget", abstract: "Erase a subscriber's personal data (a GDPR erasure request); anonymous counts stay, so reports stay right.",
            discussion: """
                Erased: the platform id (replaced by forgotten:N), names, username, locale, custom fields, tags, consents, popup form \
                submissions, stored webhook bodies that name them; their waiting deliveries are skipped. A subscribed person is \
                unsubscribed. Kept: status, growth source, dates, delivery and event counts. Job files that name them are listed: \
                they are yours to delete. Run it beside the daemon or with it stopped.
                Example: herald subscribers forget 123456789 --account shop_bot
                """
        )
        @OptionGroup var options: ConfigurationOptions
        @Argument(help: "The subscriber's platform id (Telegram user id, Messenger PSID).") var id: String
        @Option(help: "The account (needed when several have this id).") var account: String?

        func run() async throws {
            let (_, configuration) = try options.load(readingSecrets: false)
            let reader = try openStore(configuration)
            var accounts: [String] = []
            for name in account.map({ [$0] }) ?? configuration.accounts.keys.sorted() where try await reader.subscriberDetail(account: name, platformID: id) != nil {
                accounts.append(name)
            }
            guard let name = accounts.first else {
                printError("herald: no subscriber \(id)\(account.map { " on \($0)" } ?? "")")
                throw ExitCode(1)
            }
            guard accounts.count == 1 else {
                printError("herald: \(id) is a subscriber of \(accounts.joined(separator: " and ")); name one with --account")
                throw ExitCode(64)
            }
            let store: HeraldStore
            do {
                store = try HeraldStore(path: configuration.databasePath)
            } catch {
                printError("herald: \(error)")
                throw ExitCode(1)
            }
            guard let result = try await store.forget(account: name, platformID: id, now: Date()) else {
                printError("herald: no subscriber \(id) on \(name)")
                throw ExitCode(1)
            }
            print("Forgot subscriber \(id) on \(name): profile and fields erased; \(result.tags) tags, \(result.consents) consents, "
                + "\(result.formSubmissions) form submissions and \(result.webhookBodies) stored webhook bodies deleted; \(result.pendingDeliveries) waiting deliveries skipped.")
            if !result.jobFiles.isEmpty {
                print("Job files that still name them (delete them from the spool's done/ folder): \(result.jobFiles.joined(separator: ", "))")
            }
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
