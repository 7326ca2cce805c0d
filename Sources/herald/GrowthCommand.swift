import ArgumentParser
import Foundation
import HeraldCore
import HeraldModel

/// `herald growth list|snippet|image|report`.
struct GrowthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "growth",
        abstract: "The growth tools (website buttons, forms, landing pages, codes) and the snippets to paste.",
        discussion: "Growth tools are created by growth_tool jobs (spool/examples/growth-button.json, growth-popup.json). Examples: herald growth list · herald growth snippet spring-button · herald growth report --days 7",
        subcommands: [GrowthListCommand.self, GrowthSnippetCommand.self, GrowthImageCommand.self, GrowthReportCommand.self]
    )
}

/// `herald growth list`.
struct GrowthListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the growth tools with their landing page.",
        discussion: "Example: herald growth list"
    )
    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let (_, configuration) = try options.load(readingSecrets: false)
        let tools = try await openStore(configuration).growthTools()
        guard !tools.isEmpty else {
            print("No growth tools. Create one with a growth_tool job: herald submit spool/examples/growth-button.json (after editing it).")
            return
        }
        let base = configuration.http.publicURL ?? "PUBLIC_URL"
        print(TextTable.render(header: ["TOOL", "KIND", "LANDING PAGE"], rows: tools.map { [$0.name, $0.kind, "\(base)/s/\($0.name)"] }))
    }
}

/// `herald growth snippet TOOL`: what a site owner pastes.
struct GrowthSnippetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snippet", abstract: "Print the HTML to paste into a web page: the script, and plain links for pages without scripts.",
        discussion: "Needs [http] public_url (the script and the QR codes are served from it). Example: herald growth snippet spring-button"
    )
    @OptionGroup var options: ConfigurationOptions
    @Argument(help: "The growth tool's name (herald growth list shows them).") var tool: String

    func run() async throws {
        let (_, configuration) = try options.load(readingSecrets: false)
        guard let base = configuration.http.publicURL else {
            printError("herald: set [http] public_url first: the snippet loads its script and QR codes from Herald's public address")
            throw ExitCode(78)
        }
        guard let stored = try await openStore(configuration).growthTool(named: tool) else {
            printError("herald: no growth tool named \"\(tool)\" (herald growth list shows them)")
            throw ExitCode(1)
        }
        let pages: GrowthToolPages
        do {
            pages = try GrowthToolPages(stored, configuration: configuration, baseURL: base)
        } catch {
            printError("herald: growth tool \(tool) does not validate against this configuration: \(error)")
            throw ExitCode(1)
        }
        for problem in pages.missing { printError("herald: warning: no link for \(problem)") }
        print("<!-- Herald growth tool \(tool): subscribe buttons -->")
        print("<div data-herald-tool=\"\(tool)\"></div>")
        print("<script src=\"\(base)/g/\(tool).js\"></script>")
        print("<noscript>")
        print(pages.page.plainHTML())
        print("</noscript>")
        print("<!-- Landing page: \(base)/s/\(tool) -->")
    }
}

/// `herald growth image TOOL --out FILE`: the image to post on the Facebook Page.
struct GrowthImageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image", abstract: "Write the ready-to-post image (1080 × 1080 PNG): title, QR code of the tool's link, call to action.",
        discussion: "Posted on the Page, it brings people to the m.me link with the tool's ref. Example: herald growth image page-post --out page-post.png"
    )
    @OptionGroup var options: ConfigurationOptions
    @Argument(help: "The growth tool's name.") var tool: String
    @Option(help: "Where to write the PNG.") var out: String

    func run() async throws {
        let (_, configuration) = try options.load(readingSecrets: false)
        guard let stored = try await openStore(configuration).growthTool(named: tool) else {
            printError("herald: no growth tool named \"\(tool)\" (herald growth list shows them)")
            throw ExitCode(1)
        }
        do {
            let pages = try GrowthToolPages(stored, configuration: configuration, baseURL: configuration.http.publicURL ?? "")
            for problem in pages.missing { printError("herald: warning: no link for \(problem)") }
            try pages.writeImage(to: out)
            print("\(out): \(GrowthImage.side) × \(GrowthImage.side) PNG, code for \(pages.page.links.first?.url ?? "?")")
        } catch {
            printError("herald: growth tool \(tool): \(error)")
            throw ExitCode(1)
        }
    }
}

/// `herald growth report`: views → submissions → subscribers per tool, new subscribers per source.
struct GrowthReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "How each growth tool converts (views, form submissions, new subscribers) and what each source brought.",
        discussion: """
            Views are counted for people's browsers only (crawlers, link previews, headless browsers and prefetches are counted apart); \
            subscribers are new ones (someone coming back is not growth). Reads the database read-only: runs beside the daemon.
            Examples:
              herald growth report
              herald growth report --days 7 --format json
              herald growth report --from 2026-11-01 --to 2026-11-30 --format html --output growth.html
            """
    )
    @OptionGroup var options: ConfigurationOptions
    @Option(help: "The last N UTC days, today included (default 30; ignored with --from).") var days = 30
    @Option(help: "First UTC day, YYYY-MM-DD.") var from: String?
    @Option(help: "Last UTC day, YYYY-MM-DD (default today).") var to: String?
    @Option(help: "table, json, csv or html (a self-contained page with charts).") var format: ReportCommand.Format = .table
    @Option(help: "Write to this file instead of standard output.") var output: String?

    func run() async throws {
        let (_, configuration) = try options.load(readingSecrets: false)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        for (name, value) in [("--from", from), ("--to", to)] {
            if let value, formatter.date(from: value) == nil || value.count != 10 {
                printError("herald: \(name) \(value): give a day as YYYY-MM-DD")
                throw ExitCode(64)
            }
        }
        guard days >= 1 else {
            printError("herald: --days must be at least 1")
            throw ExitCode(64)
        }
        let now = Date()
        let last = to ?? formatter.string(from: now)
        let first = from ?? formatter.string(from: formatter.date(from: last)!.addingTimeInterval(-Double(days - 1) * 86_400))
        guard first <= last else {
            printError("herald: --from \(first) is after --to \(last)")
            throw ExitCode(64)
        }
        let report = try await openStore(configuration).growthReport(from: first, to: last)
        let text = switch format {
        case .table: report.table + "\n"
        case .json: report.json + "\n"
        case .csv: report.csv
        case .html: report.html(generatedAt: now.millisecondsSince1970)
        }
        guard let output else {
            print(text, terminator: "")
            return
        }
        try text.write(toFile: output, atomically: true, encoding: .utf8)
        print("herald: wrote \(output)")
    }
}
