import ArgumentParser
import Foundation
import HeraldCore

/// `herald demo`: Herald's whole job in about a minute, against the platform simulator, on a temporary spool.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run Herald end to end against simulated Telegram and Messenger, then print each campaign's funnel.",
        discussion: """
            One process runs the platform simulator (herald sim: Telegram's Bot API and Meta's Graph API, checked \
            against their published rules and limits, on 127.0.0.1) and the daemon, on a temporary spool and \
            SQLite database. Simulated people (names, locales, a few who blocked the bot, deactivated their account \
            or never started it) subscribe through growth sources (/start PAYLOAD links, m.me referrals, QR codes); \
            Herald welcomes them, imports coupon fields, and sends the examples of spool/examples: a Telegram \
            campaign with an image and buttons, a Messenger campaign with cards, and a scheduled one a few seconds \
            ahead. The simulated people then react: Messenger delivery and read receipts (signed webhooks), taps on \
            buttons and quick replies, tracked links followed by browsers and by link-preview bots, a few STOPs. \
            Nothing leaves this machine. The funnels come from Herald's ledger.
            """
    )

    @Option(help: "Keep the spool, database and log in this directory (for herald report and sqlite3) instead of deleting them.")
    var keep: String?

    @Option(help: "Simulated people on each platform.")
    var people = 40

    @Option(help: "Seconds before the scheduled campaign goes out.")
    var scheduleIn = 8

    func validate() throws {
        guard (5...2000).contains(people) else { throw ValidationError("--people must be between 5 and 2000") }
        guard (1...300).contains(scheduleIn) else { throw ValidationError("--schedule-in must be between 1 and 300 seconds") }
    }

    func run() async throws {
        let root: String
        if let keep {
            try DirectoryMaker.make(keep)
            root = URL(fileURLWithPath: keep).standardizedFileURL.path
        } else {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("herald-demo-\(UUID().uuidString.prefix(8))").path
        }
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: root) } }
        let demo = try DemoRun(root: root, people: people, scheduleIn: scheduleIn, terminal: isatty(STDOUT_FILENO) == 1)
        try await demo.run()
        if keep != nil {
            print("""

                Kept in \(root): spool/ (done/ holds every job), state/herald.sqlite (the ledger), herald.log.
                Explore: sqlite3 \(root)/state/herald.sqlite 'SELECT kind, count(*) FROM events GROUP BY kind'
                """)
        }
    }
}
