import ArgumentParser
import Foundation
import HeraldCore
import HeraldModel

/// `herald links ACCOUNT [--source NAME]`: the m.me / t.me link of each growth source, and its QR code as
/// SVG and PNG.
struct LinksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "links",
        abstract: "Print each growth source's subscribe link and write its QR code (SVG and PNG).",
        discussion: """
            Messenger: https://m.me/PAGE?ref=SOURCE (PAGE: the account's page_name, else its page_id). Telegram: \
            https://t.me/BOT?start=SOURCE (BOT: the account's username, else asked with getMe). A person who opens \
            the link and presses Get Started or Start subscribes with that source. Without --source: \
            \(GrowthLink.standardSources.joined(separator: ", ")).
            With --tool, a growth tool's links on each of its accounts, with its source: the link for a Facebook \
            Page's call-to-action button (a page_button tool), or the code to print (a code tool).
            Examples:
              herald links shop_bot
              herald links shop_page --source spring_flyer --out /srv/www/qr
              herald links --tool page-cta
            """
    )

    @OptionGroup var options: ConfigurationOptions
    @Argument(help: "The account, as named in the configuration (not with --tool).") var account: String?
    @Option(help: "One source (A–Z a–z 0–9 _ -; up to 64 characters on Telegram).") var source: String?
    @Option(help: "A growth tool (herald growth list): its links, on each of its accounts.") var tool: String?
    @Option(help: "Where the QR codes go.") var out: String = "."
    @Flag(help: "Print the links only.") var noQR = false

    func run() async throws {
        let (_, configuration) = try options.load()
        if let tool {
            guard account == nil, source == nil else {
                printError("herald: --tool gives the tool's own accounts and source: leave out ACCOUNT and --source")
                throw ExitCode(64)
            }
            try await links(of: tool, configuration: configuration)
            return
        }
        guard let name = self.account else {
            printError("herald: name an account (\(configuration.accounts.keys.sorted().joined(separator: ", "))) or a growth tool with --tool")
            throw ExitCode(64)
        }
        guard let account = configuration.accounts[name] else {
            printError("herald: no account \(name) (accounts: \(configuration.accounts.keys.sorted().joined(separator: ", ")))")
            throw ExitCode(64)
        }
        let handle = try await Self.handle(account)
        let sources = source.map { [$0] } ?? GrowthLink.standardSources
        if !noQR { try DirectoryMaker.make(out) }
        for source in sources {
            let link: GrowthLink
            do {
                link = try GrowthLink.make(platform: account.platform, handle: handle, source: source)
            } catch {
                printError("herald: --source \(source): \(error)")
                throw ExitCode(64)
            }
            try emit(link.source, url: link.url, stem: "\(account.name)-\(link.source)")
        }
    }

    /// A growth tool's link on each of its accounts, and their QR codes as TOOL-PLATFORM.svg and .png.
    func links(of tool: String, configuration: Configuration) async throws {
        guard let stored = try await openStore(configuration).growthTool(named: tool) else {
            printError("herald: no growth tool named \"\(tool)\" (herald growth list shows them)")
            throw ExitCode(1)
        }
        let pages: GrowthToolPages
        do {
            pages = try GrowthToolPages(stored, configuration: configuration, baseURL: configuration.http.publicURL ?? "")
        } catch {
            printError("herald: growth tool \(tool) does not validate against this configuration: \(error)")
            throw ExitCode(1)
        }
        for problem in pages.missing { printError("herald: warning: no link for \(problem)") }
        if !noQR { try DirectoryMaker.make(out) }
        for link in pages.page.links { try emit(link.platform.rawValue, url: link.url, stem: "\(tool)-\(link.platform.rawValue)") }
    }

    /// Prints one link, and unless --no-qr writes its QR code to OUT/STEM.svg and .png and names them too.
    private func emit(_ label: String, url: String, stem: String) throws {
        guard !noQR else {
            print("\(label)\t\(url)")
            return
        }
        let path = out + "/" + stem
        let code = try QRCodeImage(url)
        try code.writeSVG(to: path + ".svg")
        try code.writePNG(to: path + ".png")
        print("\(label)\t\(url)\t\(path).svg\t\(path).png")
    }

    /// The Page's name or id, or the bot's username (configured, else from getMe).
    static func handle(_ account: AccountConfiguration) async throws -> String {
        if let name = account.publicName { return name }
        switch account.platform {
        case .messenger:
            guard let page = account.pageID else { throw ExitCode(78) }
            return page
        case .telegram:
            guard account.token != nil else {
                printError("herald: account \(account.name) has neither username nor token; set username = \"your_bot\"")
                throw ExitCode(78)
            }
            let me = try await TelegramCommand.call(account, "getMe", [:])
            guard let username = me["username"]?.stringValue else {
                printError("herald: getMe for \(account.name) gave no username")
                throw ExitCode(1)
            }
            return username
        }
    }
}
