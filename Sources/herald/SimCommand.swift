import ArgumentParser
import Foundation
import HeraldSimulator
import Logging
import ServiceLifecycle

/// `herald sim`: the platform simulator alone, for trying Herald by hand, tests and benchmarks.
struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run the loopback Telegram Bot API and Messenger Graph API simulator.",
        discussion: """
            Serves /bot<TOKEN>/<method> (Telegram) and /vNN.N/... (Messenger) on 127.0.0.1, checking every request \
            against the platforms' published rules and answering with their real bodies and errors. Control \
            endpoints under /_/ (requests, script, outage, faults, updates, people, arrive, report) let a test or \
            a person drive it. Point an account's api_base_url at http://127.0.0.1:PORT.
            Examples:
              herald sim
              herald sim --port 0 --port-file /tmp/sim.port --enforce-limits --latency-ms 50
            """
    )

    @Option(help: "Port on 127.0.0.1 (0: any free port; 8089 is where the embedded defaults look).") var port = 8089
    @Option(help: "Write the bound port to this file once listening (renamed into place).") var portFile: String?
    @Option(help: "The bot token the Bot API accepts.") var telegramToken = "123456:TEST-token"
    @Option(help: "The Page access token the Graph API accepts.") var messengerToken = "EAAG-test-page-token"
    @Option(help: "The simulated Page's id.") var pageID = "100000000000001"
    @Option(help: "The Meta app secret that signs webhooks.") var appSecret = "simulator-app-secret"
    @Option(help: "Herald's Messenger webhook URL, for receipts, echoes and taps.") var messengerWebhook: String?
    @Option(help: "Deliver Telegram webhook updates here (http://127.0.0.1:PORT; the path comes from the webhook's https URL), as a TLS proxy in front of Herald would.") var telegramWebhookForward: String?
    @Option(help: "Milliseconds added to every API answer.") var latencyMs: Double = 0
    @Flag(help: "Refuse calls over the platforms' rate limits (429 / code 613), as they do.") var enforceLimits = false
    @Option(help: "A bot's messages per second (default: Telegram's 30, 1,000 for paid broadcasts).") var botLimit: Int?
    @Flag(help: "Do not keep requests for /_/requests (long benchmarks).") var noRecord = false
    @Flag(help: "The simulated people do nothing of their own accord: no button taps, link clicks or STOP replies (receipts and reads still come).") var noReactions = false

    func run() async throws {
        var settings = SimulatorSettings()
        settings.telegramToken = telegramToken
        settings.messengerToken = messengerToken
        settings.pageID = pageID
        settings.appSecret = appSecret
        settings.messengerWebhookURL = messengerWebhook
        settings.telegramWebhookForward = telegramWebhookForward
        settings.latency = latencyMs > 0 ? .fixed(milliseconds: latencyMs) : .none
        settings.enforceLimits = enforceLimits
        settings.telegramBotLimit = botLimit
        settings.recordRequests = !noRecord
        if noReactions {
            settings.behaviour.clickShare = 0
            settings.behaviour.stopShare = 0
        }
        var logger = Logger(label: "herald-sim")
        logger.logLevel = .warning
        let simulator = PlatformSimulator(settings: settings, port: port, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [simulator], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            while simulator.port == nil { try await Task.sleep(for: .milliseconds(2)) }
            if let portFile {
                try String(simulator.port!).write(toFile: portFile + ".tmp", atomically: false, encoding: .utf8)
                try FileManager.default.moveItem(atPath: portFile + ".tmp", toPath: portFile)
            } else {
                print("herald sim: listening on http://127.0.0.1:\(simulator.port!)")
            }
            try await tasks.waitForAll()
        }
    }
}
