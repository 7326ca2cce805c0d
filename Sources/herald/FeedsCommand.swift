import ArgumentParser
import Foundation
import HeraldCore
import HeraldModel

/// `herald feeds`: every feed automation with its last run, next run, last error and items sent.
struct FeedsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feeds",
        abstract: "List the feed automations: last run, next run, last error, items sent.",
        discussion: """
            Feeds are created, changed and deleted by feed jobs (spool/examples/feed.json); herald feed run NAME polls \
            one now, herald feed preview SOURCE shows what a source would send. Example: herald feeds --items blog
            """
    )

    @OptionGroup var options: ConfigurationOptions
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table
    @Option(help: "Also list the items this feed has seen, newest first (at most 50).") var items: String?

    enum OutputFormat: String, ExpressibleByArgument { case table, json }

    func run() async throws {
        let (_, configuration) = try options.load(readingSecrets: false)
        let store = try openStore(configuration)
        let feeds = try await store.feeds()
        if let name = items {
            guard feeds.contains(where: { $0.name == name }) else {
                printError("herald: no feed named \"\(name)\"\(feeds.isEmpty ? "" : "; feeds: \(feeds.map(\.name).joined(separator: ", "))")")
                throw ExitCode(1)
            }
            let seen = try await store.feedItems(feed: name, limit: 50)
            switch format {
            case .json:
                print(JSONValue.array(seen.map { item in
                    .object([
                        "key": .string(item.key), "title": .string(item.title), "state": .string(item.state),
                        "job_id": item.jobID.map(JSONValue.string) ?? .null, "seen_at": .string(Self.iso(item.seenAt)),
                    ])
                }).jsonText)
            case .table:
                let rows = seen.map { [Self.iso($0.seenAt), Self.itemState($0.state), $0.jobID ?? "-", String($0.title.prefix(60))] }
                print(TextTable.render(header: ["SEEN", "STATE", "CAMPAIGN", "TITLE"], rows: rows))
            }
            return
        }
        switch format {
        case .json:
            print(JSONValue.array(feeds.map(Self.json)).jsonText)
        case .table:
            guard !feeds.isEmpty else {
                print("No feed automations. Create one with a feed job: herald submit spool/examples/feed.json (after editing it).")
                return
            }
            let rows = feeds.map { feed -> [String] in
                let settings = try? JSONParser().parse(Array(feed.settings.utf8))
                return [
                    feed.name, feed.account, settings?["source"]?.stringValue ?? "?",
                    feed.lastRunAt.map(Self.iso) ?? "never", feed.nextRunAt.map(Self.iso) ?? "now",
                    "\(feed.itemsSent)", "\(feed.campaignsCreated)", feed.lastError.map { "error: " + $0 } ?? (feed.lastSuccessAt == nil ? "-" : "ok"),
                ]
            }
            print(TextTable.render(header: ["FEED", "ACCOUNT", "SOURCE", "LAST RUN", "NEXT RUN", "SENT", "CAMPAIGNS", "STATUS"], rows: rows))
        }
    }

    static func json(_ feed: StoredFeed) -> JSONValue {
        let settings = (try? JSONParser().parse(Array(feed.settings.utf8))) ?? .object(JSONObject())
        return .object([
            "name": .string(feed.name), "account": .string(feed.account), "settings": settings, "title": feed.title.map(JSONValue.string) ?? .null,
            "last_run_at": feed.lastRunAt.map { .string(iso($0)) } ?? .null, "next_run_at": feed.nextRunAt.map { .string(iso($0)) } ?? .null,
            "last_success_at": feed.lastSuccessAt.map { .string(iso($0)) } ?? .null, "last_error": feed.lastError.map(JSONValue.string) ?? .null,
            "items_sent": .number("\(feed.itemsSent)"), "campaigns": .number("\(feed.campaignsCreated)"),
        ])
    }

    static func itemState(_ state: String) -> String {
        switch state {
        case "first_run": "remembered (first run)"
        case "over_limit": "left out (max_items)"
        default: state
        }
    }

    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }
}

/// `herald feed run|preview`.
struct FeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feed",
        abstract: "Poll a feed now, or preview what a source would send.",
        discussion: "Examples: herald feed run blog · herald feed preview https://shop.example.com/blog/feed.xml --account shop_bot",
        subcommands: [FeedRunCommand.self, FeedPreviewCommand.self]
    )
}

/// `herald feed run NAME`: a feed job with action run, through the spool.
struct FeedRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Poll a feed now (its new items become campaigns as at any run).",
        discussion: "Writes {\"type\": \"feed\", \"action\": \"run\", \"name\": NAME} through the spool. Example: herald feed run blog"
    )
    @OptionGroup var options: ConfigurationOptions
    @Argument(help: "The feed's name (herald feeds lists them).") var name: String
    @Flag(help: "Only drop the job; do not wait for the daemon to record it.") var noWait = false
    @Option(help: "Give up waiting after this many seconds.") var timeout: Double = 30

    func run() async throws {
        try await submitControl(
            "feed", fields: ["action": .string("run"), "name": .string(name)], label: "feed run \(name)", options: options, noWait: noWait, timeout: timeout,
            idPrefix: "feed-run"
        )
    }
}

/// `herald feed preview SOURCE`: the items a source has and the message each would become, without sending.
struct FeedPreviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview", abstract: "Show the items a feed has and the message each would become, without sending anything.",
        discussion: """
            SOURCE is an http(s) URL or a local file. The layout and platform come from --feed (a feed automation's \
            settings), else from --layout and --platform. Examples:
              herald feed preview https://shop.example.com/blog/feed.xml --platform messenger --layout card
              herald feed preview ./feed.xml --feed blog
            """
    )
    @OptionGroup var options: ConfigurationOptions
    @Argument(help: "An http(s) URL or a local file.") var source: String
    @Option(help: "Use this feed automation's layout, mode and account.") var feed: String?
    @Option(help: "telegram or messenger (without --feed).") var platform: String = "telegram"
    @Option(help: "text or card (without --feed).") var layout: String = "text"
    @Flag(help: "Show the digest of all the items instead of one message each.") var digest = false
    @Option(help: "At most this many items.") var limit: Int = 5

    func validate() throws {
        guard Platform(rawValue: platform) != nil else { throw ValidationError("--platform must be telegram or messenger") }
        guard ["text", "card"].contains(layout) else { throw ValidationError("--layout must be text or card") }
        guard (1...50).contains(limit) else { throw ValidationError("--limit must be 1 to 50") }
    }

    func run() async throws {
        let (_, configuration) = try options.load(readingSecrets: false)
        var platform = Platform(rawValue: self.platform)!
        var layout: FeedJob.Layout = self.layout == "card" ? .card : .text
        var digest = self.digest
        var options = SendOptions()
        if let name = feed {
            guard let stored = try await openStore(configuration).feed(named: name) else {
                printError("herald: no feed named \"\(name)\" (herald feeds lists them)")
                throw ExitCode(1)
            }
            let job: FeedJob
            do {
                job = try FeedPoller<ContinuousClock>.decode(stored, configuration: configuration, now: Date())
            } catch {
                printError("herald: feed \(name)'s settings do not validate against this configuration: \(error)")
                throw ExitCode(1)
            }
            platform = job.settings.platform ?? platform
            layout = job.settings.layout ?? .text
            digest = job.settings.mode == .digest
            options = job.settings.options ?? configuration.defaultOptions
        }
        let (bytes, url) = try await Self.read(source)
        let document: FeedDocument
        do {
            document = try FeedParser.parse(bytes, url: url)
        } catch {
            printError("herald: \(source) is not a feed Herald can read: \(error.reason)")
            throw ExitCode(1)
        }
        let items = Array(document.items.prefix(limit))
        print("\(document.format.rawValue) feed \"\(document.title)\" at \(url): \(document.items.count) items\(document.items.count > items.count ? ", the first \(items.count) shown" : "").")
        let groups: [[FeedItem]] = digest ? [Array(items.reversed())] : items.map { [$0] }
        for group in groups {
            print("")
            if let item = group.first, group.count == 1 {
                print("• \(item.title)")
                print("  key \(item.key)\(item.published.map { " · published \(FeedsCommand.iso($0))" } ?? "")")
                if let link = item.link { print("  link \(link)") }
                if let image = item.imageURL { print("  image \(image)") }
                if let price = item.price { print("  price \(price)") }
            } else {
                print("• digest of \(group.count) items")
            }
            guard let content = FeedLayout.content(for: group, layout: layout, platform: platform, feedTitle: document.title, digest: digest) else {
                print("  (no message: the layout has nothing to show for it)")
                continue
            }
            do {
                let preview = try MessagePreview.render(content, platform: platform, options: options, profile: Profile(platformID: platform == .telegram ? "123456789" : "1000000000000001"))
                for call in preview.calls {
                    print("  → \(call.endpoint)")
                    for line in call.reading { print("    │ \(line)") }
                }
            } catch {
                print("  (the message cannot be sent: \(error))")
            }
        }
    }

    /// The source's bytes and the URL relative links resolve against.
    static func read(_ source: String) async throws -> ([UInt8], String) {
        if source.hasPrefix("http://") || source.hasPrefix("https://") {
            let transport = try CurlTransport(maxConnections: 2, timeout: .seconds(30), maxResponseBytes: 10 << 20)
            let request = HTTPRequest(method: "GET", url: source, headers: ["Accept: application/rss+xml, application/atom+xml, application/feed+json, */*;q=0.5"], maxRedirects: 5)
            let result = await transport.fetch(request)
            await transport.shutdown()
            switch result {
            case .success(let response) where (200..<300).contains(response.status):
                return (response.body, response.url)
            case .success(let response):
                printError("herald: \(source) answered HTTP \(response.status)")
                throw ExitCode(1)
            case .failure(let failure):
                printError("herald: fetching \(source) failed: \(FeedPoller<ContinuousClock>.wording(failure.reason))")
                throw ExitCode(1)
            }
        }
        guard let data = FileManager.default.contents(atPath: source) else {
            printError("herald: cannot read \(source): no such file, or not readable (give an http(s) URL or a file)")
            throw ExitCode(1)
        }
        guard data.count <= 10 << 20 else {
            printError("herald: \(source) is \(data.count) bytes; feeds are read up to 10 MB")
            throw ExitCode(1)
        }
        return (Array(data), URL(fileURLWithPath: source).absoluteString)
    }
}
