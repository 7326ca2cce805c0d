import Foundation
import HeraldModel

/// A stored growth tool made ready to serve: its settings validated again against the configuration, its
/// subscribe links built from each account's public handle, and its QR codes.
public struct GrowthToolPages: Sendable {
    public var job: GrowthToolJob
    public var page: GrowthPage
    /// Accounts that got no link, and why (a Telegram bot without `public_name`, say).
    public var missing: [String]

    /// `baseURL` is Herald's public URL, where the QR codes are served.
    public init(_ tool: StoredGrowthTool, configuration: Configuration, baseURL: String) throws {
        guard case .growthTool(let job) = try StoredSettings.decode(type: "growth_tool", name: tool.name, settings: tool.settings, configuration: configuration, now: Date()) else {
            throw StoredSettingsError("growth tool \(tool.name) decoded as another kind of job")
        }
        self.job = job
        var links: [GrowthPage.Link] = []
        var missing: [String] = []
        let source = job.settings.source ?? tool.name
        // Messenger first: the order the buttons show in.
        for (account, platform) in (job.settings.accounts ?? [:]).sorted(by: { ($0.value.rawValue, $0.key) < ($1.value.rawValue, $1.key) }) {
            guard let configured = configuration.accounts[account] else { continue }
            let handle = configured.publicName ?? (platform == .messenger ? configured.pageID : nil)
            guard let handle else {
                missing.append("\(account): set username (the bot's username) in [accounts.\(account)]")
                continue
            }
            let link = try GrowthLink.make(platform: platform, handle: handle, source: source)
            let label = job.settings.labels?[platform] ?? GrowthToolJob.defaultLabels[platform]!
            links.append(GrowthPage.Link(platform: platform, label: label, url: link.url, qrURL: "\(baseURL)/g/\(tool.name)/qr/\(platform.rawValue).svg"))
        }
        page = GrowthPage(name: tool.name, settings: job.settings, links: links)
        self.missing = missing
    }

    /// The tool's links carrying a form's token (`ref=SOURCE--TOKEN`, `start=SOURCE--TOKEN`), with QR codes of them.
    public func links(carrying token: OptInToken, baseURL: String) -> [GrowthPage.Link] {
        page.links.map { link in
            var carried = link
            carried.url = link.url + GrowthLink.tokenSeparator + token.text
            carried.qrURL = "\(baseURL)/g/\(page.name)/qr/\(link.platform.rawValue).svg?token=\(token.text)"
            return carried
        }
    }

    /// The ready-to-post image (`page_image`): the first link's code with the tool's title, colours and call to
    /// action, written as PNG to `path`.
    public func writeImage(to path: String) throws {
        guard let link = page.links.first else { throw GrowthToolError("the tool has no link to draw (see herald growth snippet's warnings)") }
        let action = job.settings.text ?? (link.platform == .messenger ? "Scan to message us on Messenger" : "Scan to chat with us on Telegram")
        try GrowthImage(title: page.title, callToAction: action, link: link.url, background: page.background, foreground: page.foreground).writePNG(to: path)
    }

    /// The QR code of the link on `platform`, as SVG; nil when the tool has no such link.
    public func qrSVG(_ platform: Platform, token: OptInToken? = nil) throws -> String? {
        guard let link = page.links.first(where: { $0.platform == platform }) else { return nil }
        return GrowthPage.svg(modules: try QRCodeImage(link.url + (token.map { GrowthLink.tokenSeparator + $0.text } ?? "")).modules)
    }
}

/// A stored growth tool that cannot be served.
public struct GrowthToolError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
