import Foundation
import HeraldCore
import HeraldModel
import HeraldSimulator
import Logging
import ServiceLifecycle

/// One demo: the simulator and the daemon in one service group, the steps of a small marketing day, the funnels.
struct DemoRun {
    let root: String
    let people: Int
    let scheduleIn: Int
    let progress: DemoProgress
    let jobs: DemoJobs
    let simulator: PlatformSimulator
    let parts: Daemon.Parts
    let logger: Logger
    let configuration: Configuration

    init(root: String, people: Int, scheduleIn: Int, terminal: Bool) throws {
        self.root = root
        self.people = people
        self.scheduleIn = scheduleIn
        progress = DemoProgress(terminal: terminal)
        jobs = try DemoJobs()
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        logger = Logger(label: "herald") { _ in FileLogHandler(path: root + "/herald.log") }
        let (simulatorPort, heraldPort) = (try FreePort.take(), try FreePort.take())
        var settings = SimulatorSettings()
        settings.messengerWebhookURL = "http://127.0.0.1:\(heraldPort)/webhooks/messenger"
        settings.enforceLimits = true
        simulator = PlatformSimulator(settings: settings, port: simulatorPort, logger: logger)

        var configuration = Configuration.embeddedDefaults()
        configuration.spoolDirectory = root + "/spool"
        configuration.stateDirectory = root + "/state"
        configuration.listenPort = heraldPort
        configuration.http.publicURL = "http://127.0.0.1:\(heraldPort)"
        configuration.drainTimeoutSeconds = 5
        configuration.limits.rescanIntervalSeconds = 1
        let api = "http://127.0.0.1:\(simulatorPort)"
        configuration.accounts["shop_bot"]?.apiBaseURL = api
        configuration.accounts["shop_bot"]?.token = Secret(value: settings.telegramToken, origin: "demo")
        configuration.accounts["shop_bot"]?.publicName = settings.telegramUsername
        configuration.accounts["shop_page"]?.apiBaseURL = api
        configuration.accounts["shop_page"]?.token = Secret(value: settings.messengerToken, origin: "demo")
        configuration.accounts["shop_page"]?.pageID = settings.pageID
        configuration.accounts["shop_page"]?.appSecret = Secret(value: settings.appSecret, origin: "demo")
        self.configuration = configuration
        try SpoolDirectory(root: configuration.spoolDirectory).prepare()
        parts = try Daemon.makeParts(configuration: configuration, configurationPath: nil, logger: logger, environment: [:])
    }

    func run() async throws {
        let group = ServiceGroup(configuration: .init(services: [simulator] + parts.services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        defer { parts.lock.release() }
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await steps()
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        try await report(elapsed: ContinuousClock.now - started)
    }

    private func steps() async throws {
        try await progress.wait("starting the simulator and the daemon", timeout: 30) { simulator.port != nil && parts.status.line.hasPrefix("ready") }
        progress.say("Simulated: \(people) people on Telegram and \(people) on Messenger (Telegram Bot API and Graph API on 127.0.0.1:\(simulator.port!); Herald on \(configuration.http.publicURL ?? ""))")
        simulator.populate(Population(telegram: people, messenger: people, sources: GrowthLink.standardSources, seed: 2026))
        for (name, job) in try jobs.automations() { try drop(job, as: name) }
        try await progress.wait("automated messages configured", timeout: 20) { (try? parts.store.counts().jobs) ?? 0 >= 2 }

        let arrivals = simulator.arrive(over: 3)
        try await progress.wait("\(arrivals) people subscribe through growth sources (/start PAYLOAD, m.me ref, QR codes) and are welcomed", timeout: 60) {
            try await quiet()
        }
        try drop(jobs.customerImport(simulator.people), as: "crm-import.json")
        try await progress.wait("customer list imported (coupon codes, tag customers)", timeout: 20) { (try? parts.store.counts().jobs) ?? 0 >= 3 }

        for (name, job) in try jobs.campaigns(scheduleIn: scheduleIn) { try drop(job, as: name) }
        progress.say("Campaigns submitted: a Telegram image with buttons, Messenger cards with quick replies, and a video scheduled \(scheduleIn) s ahead")
        try await progress.live(timeout: 120) {
            let funnels = try await parts.store.campaignFunnels(platforms: configuration.accounts.mapValues(\.platform))
            let sent = funnels.reduce(0) { $0 + $1.sent }, audience = funnels.reduce(0) { $0 + $1.audience }
            let done = funnels.count == 3 && funnels.allSatisfy { ["completed", "failed", "cancelled", "expired"].contains($0.state) }
            let states = funnels.map { "\($0.jobID): \($0.state)" }.joined(separator: ", ")
            return (done, funnels.isEmpty ? "waiting for the campaigns to be accepted" : "sending: \(sent) of \(audience) sent; \(states)")
        }

        try drop(jobs.feed(source: simulator.baseURL! + "/site/blog.xml"), as: "feed-blog.json")
        try await progress.wait("the shop's blog connected as a feed: its posts so far remembered, none sent", timeout: 20) {
            try await parts.store.feed(named: "shop-blog")?.lastSuccessAt != nil
        }
        simulator.publishPost(title: "Summer sale starts Friday", summary: "<p>Up to <b>40%</b> off linen, in store and online.</p>")
        try drop(["type": "feed", "id": "demo-feed-run", "action": "run", "name": "shop-blog"], as: "feed-run.json")
        try await progress.wait("a new blog post becomes a campaign to the Telegram subscribers", timeout: 60) {
            let funnels = try await parts.store.campaignFunnels(platforms: configuration.accounts.mapValues(\.platform))
            return funnels.contains { $0.jobID.hasPrefix("feed.shop-blog.") && $0.state == "completed" }
        }
        var popup = try jobs.example("growth-popup.json")
        // Its own source, apart from the simulated people who came through the standard popup_form links.
        popup["source"] = "newsletter_popup"
        try drop(popup, as: "growth-popup.json")
        try await progress.wait("the shop's website gets a popup form (first name, e-mail, interest, consent)", timeout: 20) {
            try await parts.store.growthTool(named: "newsletter-popup") != nil
        }
        let visitors = DemoVisitors(base: configuration.http.publicURL ?? "", tool: "newsletter-popup", origin: "https://shop.example.com", simulator: simulator)
        let arriving = try await visitors.visit(views: 40, bots: 6, submissions: 12, arriving: 9)
        try await progress.wait("40 visitors see the popup, 12 send it, \(arriving) open the chat with its token and arrive with their fields", timeout: 60) {
            let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
            return try await parts.store.growthReport(from: today, to: today).tools.first { $0.name == "newsletter-popup" }?.claimed == arriving
        }
        try await progress.wait("people read, tap, follow links and reply", timeout: 60) { try await quiet() }
    }

    /// True once the simulated people have nothing left to do and Herald has processed everything it heard.
    private func quiet() async throws -> Bool {
        guard !simulator.isBusy else { return false }
        guard try await parts.store.inboundBacklog() == 0 else { return false }
        // One more look a moment later: a reaction may be on the wire.
        try await Task.sleep(for: .milliseconds(600))
        let backlog = try await parts.store.inboundBacklog()
        return !simulator.isBusy && backlog == 0
    }

    private func drop(_ job: [String: Any], as name: String) throws {
        let bytes = try JSONSerialization.data(withJSONObject: job, options: [.sortedKeys])
        try SpoolDirectory(root: configuration.spoolDirectory).submit(Array(bytes), name: name)
    }

    private func report(elapsed: Duration) async throws {
        let store = try HeraldStore(path: configuration.databasePath)
        let platforms = configuration.accounts.mapValues(\.platform)
        let printer = DemoSummary()
        print("")
        print(printer.growth(try await store.subscribersBySource()))
        print(printer.automated(try await store.automatedMessages()))
        let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
        print("\n" + (try await store.growthReport(from: today, to: today)).table)
        // The same funnel `herald report CAMPAIGN` shows.
        for funnel in try await store.campaignFunnels(platforms: platforms) {
            if let report = try await store.campaignReport(jobID: funnel.jobID, platforms: platforms) { print("\n" + ReportRendering.detailTable(report)) }
        }
        let violations = simulator.violations.values.reduce(0, +)
        let counters = simulator.counters
        print("""
            Platform limits: \(violations == 0 ? "no call over any limit" : "\(violations) calls over a limit: \(simulator.violations)") \
            (the simulator enforces 30 msg/s per bot, 1/s per chat, 300/s per Page, as the platforms do).
            Simulated: \(counters["click", default: 0]) link clicks by people, \(counters["preview", default: 0]) fetches by preview bots, \
            \(counters["webhook_events", default: 0]) Messenger webhook events signed and delivered to Herald.
            Done in \(String(format: "%.1f", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)) s.
            """)
    }
}
