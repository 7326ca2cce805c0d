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
            follows spool/report.schema.json. Reads the database only, so it can run beside the daemon; --rebuild recomputes the figures \
            the reports read (kept as deliveries and events are written) from the raw rows first.

            Examples:
              herald report
              herald report spring-sale-2026-telegram
              herald report spring-sale-2026-telegram --format json
              herald report spring-sale-2026-telegram --recipients > recipients.csv
              herald report --rebuild
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json, csv, html
    }

    @OptionGroup var options: ConfigurationOptions
    @Argument(help: "A campaign's job id (default: every campaign).") var campaign: String?
    @Option(help: "table, json, csv, or html (one campaign: a self-contained page with charts).") var format: Format = .table
    @Option(help: "Write to this file instead of standard output.") var output: String?
    @Flag(help: "One CSV row per recipient of CAMPAIGN: state, reason, times, clicks.") var recipients = false
    @Flag(help: "Recompute every report figure from the raw deliveries and events first (needs write access to the database).")
    var rebuild = false

    func validate() throws {
        if recipients && campaign == nil { throw ValidationError("--recipients needs a campaign") }
        if format == .html && campaign == nil { throw ValidationError("--format html needs a campaign") }
    }

    func run() async throws {
        let (_, configuration) = try options.load(readingSecrets: false)
        if rebuild {
            let started = Date()
            do {
                // Opening read-write would create an empty database where none is: say there is none instead.
                _ = try HeraldStore(readingAt: configuration.databasePath)
                let campaigns = try await HeraldStore(path: configuration.databasePath).rebuildReportCounts()
                printError("herald: report figures of \(campaigns) campaigns recomputed from the raw deliveries and events in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
            } catch {
                printError("herald: cannot rebuild the report figures: \(error)")
                throw ExitCode(1)
            }
        }
        let store = try openStore(configuration)
        let platforms = configuration.accounts.mapValues(\.platform)
        guard let campaign else {
            let funnels = try await store.campaignFunnels(platforms: platforms)
            switch format {
            case .table: try emit(ReportRendering.listTable(funnels, width: Self.terminalWidth()) + "\n")
            case .json: try emit(ReportRendering.listJSON(funnels) + "\n")
            case .csv, .html: try emit(ReportRendering.listCSV(funnels))
            }
            return
        }
        if recipients {
            try emit(ReportRendering.recipientsCSV(try await store.campaignRecipients(jobID: campaign)))
            return
        }
        guard let report = try await store.campaignReport(jobID: campaign, platforms: platforms) else {
            let known = try await store.campaignFunnels(platforms: platforms).map(\.jobID)
            printError("herald: no campaign \(campaign)\(known.isEmpty ? "" : " (campaigns: \(known.joined(separator: ", ")))")")
            throw ExitCode(1)
        }
        switch format {
        case .table: try emit(ReportRendering.detailTable(report) + "\n")
        case .json: try emit(ReportRendering.detailJSON(report) + "\n")
        case .csv: try emit(ReportRendering.detailCSV(report))
        case .html:
            let growth = try await store.subscribersBySource().filter { $0.account == report.funnel.account }.map { (source: $0.source, subscribers: $0.subscribers) }
            try emit(ReportHTML.page(report, growth: growth, generatedAt: Int64(Date().timeIntervalSince1970 * 1000)))
            if let output { print("herald: wrote \(output)") }
        }
    }

    /// Prints `text`, or writes it to `--output`.
    private func emit(_ text: String) throws {
        guard let output else {
            print(text, terminator: "")
            return
        }
        try text.write(toFile: output, atomically: true, encoding: .utf8)
    }

    /// The terminal's width, from COLUMNS or the tty; 120 when output goes elsewhere.
    static func terminalWidth() -> Int {
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 40 { return columns }
        var size = winsize()
        if isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 40 { return Int(size.ws_col) }
        return 120
    }
}
