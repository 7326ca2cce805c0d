import ArgumentParser
import Foundation
import HeraldCore
import HeraldModel

/// `herald report [CAMPAIGN]`: what campaigns did, from the ledger, as a table, JSON or CSV.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Show what campaigns did: audience, sent, delivered, read, clicked, failed and why.",
        discussion: """
            Without a campaign: one line per campaign. With one (its job id): the funnel (skipped and failed by \
            reason, delivered, read where the platform tells, clicks by people apart from bots and link previews, \
            unsubscribes after it), clicks per link and button, and sends, reads and clicks over time. The JSON \
            follows spool/report.schema.json. Reads the database only, so it can run beside the daemon.

            Examples:
              herald report
              herald report spring-sale-2026-telegram
              herald report spring-sale-2026-telegram --format json
              herald report spring-sale-2026-telegram --recipients > recipients.csv
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json, csv
    }

    @OptionGroup var options: ConfigurationOptions
    @Argument(help: "A campaign's job id (default: every campaign).") var campaign: String?
    @Option(help: "table, json or csv.") var format: Format = .table
    @Flag(help: "One CSV row per recipient of CAMPAIGN: state, reason, times, clicks.") var recipients = false

    func validate() throws {
        if recipients && campaign == nil { throw ValidationError("--recipients needs a campaign") }
    }

    func run() async throws {
        let (_, configuration) = try options.load()
        let store: HeraldStore
        do {
            store = try HeraldStore(readingAt: configuration.databasePath)
        } catch {
            printError("herald: \(error)")
            throw ExitCode(1)
        }
        let platforms = configuration.accounts.mapValues(\.platform)
        guard let campaign else {
            let funnels = try await store.campaignFunnels(platforms: platforms)
            switch format {
            case .table: print(ReportRendering.listTable(funnels, width: Self.terminalWidth()))
            case .json: print(ReportRendering.listJSON(funnels))
            case .csv: print(ReportRendering.listCSV(funnels), terminator: "")
            }
            return
        }
        if recipients {
            print(ReportRendering.recipientsCSV(try await store.campaignRecipients(jobID: campaign)), terminator: "")
            return
        }
        guard let report = try await store.campaignReport(jobID: campaign, platforms: platforms) else {
            let known = try await store.campaignFunnels(platforms: platforms).map(\.jobID)
            printError("herald: no campaign \(campaign)\(known.isEmpty ? "" : " (campaigns: \(known.joined(separator: ", ")))")")
            throw ExitCode(1)
        }
        switch format {
        case .table: print(ReportRendering.detailTable(report))
        case .json: print(ReportRendering.detailJSON(report))
        case .csv: print(ReportRendering.detailCSV(report), terminator: "")
        }
    }

    /// The terminal's width, from COLUMNS or the tty; 120 when output goes elsewhere.
    static func terminalWidth() -> Int {
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 40 { return columns }
        var size = winsize()
        if isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 40 { return Int(size.ws_col) }
        return 120
    }
}
