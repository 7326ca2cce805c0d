import Foundation
import GRDB
import HeraldCore
import HeraldModel
import HeraldTesting

/// A daemon on a fresh temporary spool and state directory, run in process with its real services.
struct DaemonHarness {
    let root: String
    var configuration: HeraldCore.Configuration
    var spool: SpoolDirectory { SpoolDirectory(root: configuration.spoolDirectory) }

    init(under parent: String = FileManager.default.temporaryDirectory.path, _ adjust: (inout HeraldCore.Configuration) -> Void = { _ in }) throws {
        root = parent + "/herald-test-\(UUID().uuidString)"
        var configuration = HeraldCore.Configuration.embeddedDefaults(environment: [:])
        configuration.spoolDirectory = root + "/spool"
        configuration.stateDirectory = root + "/state"
        configuration.limits.rescanIntervalSeconds = 1
        // Any free port: suites run in parallel.
        configuration.listenPort = 0
        adjust(&configuration)
        self.configuration = configuration
        try spool.prepare()
    }

    /// Starts the services, runs `body`, then shuts down gracefully and waits for the group to end. Every test
    /// through the harness also checks that the report figures the writers kept match the ones rebuilt from the raw rows.
    func run(log: CapturedLog? = nil, feedLimits: FeedPoller<ContinuousClock>.Limits = .init(), _ body: (Daemon.Parts) async throws -> Void) async throws {
        try await InProcessDaemon.run(configuration, logger: log?.logger(), feedLimits: feedLimits, body)
        guard FileManager.default.fileExists(atPath: configuration.databasePath) else { return }
        let drift = try await HeraldStore(path: configuration.databasePath).reportCountsDrift()
        if !drift.isEmpty { throw ReportDrift(lines: drift) }
    }

    /// Writes a file into a spool folder the way `cp` would (no staging), returning its path.
    @discardableResult
    func drop(_ text: String, as name: String, in folder: SpoolDirectory.Folder = .incoming) throws -> String {
        let path = spool.path(folder, name)
        try PlainWrite.write(Array(text.utf8), to: path)
        return path
    }

    func names(in folder: SpoolDirectory.Folder) -> [String] {
        ((try? spool.list(folder)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    /// The parsed `.error.json` of the one rejected file whose original name is `name`.
    func rejection(of name: String) -> [String: String]? {
        let stem = String(name.dropLast(5))
        guard let errorName = names(in: .failed).first(where: { $0.hasSuffix("~\(stem).error.json") }),
              let bytes = try? SpoolDirectory.readFile(path: spool.path(.failed, errorName), maxBytes: 1 << 20),
              case .object(let object) = try? JSONParser().parse(bytes)
        else { return nil }
        var result: [String: String] = [:]
        for key in object.keys { if case .string(let value) = object[key] { result[key] = value } }
        return result
    }

    /// Reads the database directly.
    func query<T>(_ body: (Database) throws -> T) throws -> T {
        var settings = GRDB.Configuration()
        settings.busyMode = .timeout(10)
        let queue = try DatabaseQueue(path: configuration.databasePath, configuration: settings)
        return try queue.read(body)
    }

    /// A connection for a test to write behind the daemon's back; it waits for the daemon's writes instead of failing.
    func writableQueue() throws -> DatabaseQueue {
        var settings = GRDB.Configuration()
        settings.busyMode = .timeout(10)
        return try DatabaseQueue(path: configuration.databasePath, configuration: settings)
    }

    /// Deliveries in a state, in the daemon's database.
    func deliveries(_ state: String) throws -> Int {
        try query { try Int.fetchOne($0, sql: "SELECT count(*) FROM deliveries WHERE state = ?", arguments: [state]) ?? 0 }
    }

    /// A job importing these chat ids on an account.
    static func importJob(_ ids: [String], account: String = "shop_bot") -> String {
        #"{"type": "subscribers", "account": ""# + account + #"", "action": "import", "subscribers": ["# + ids.map { "\"\($0)\"" }.joined(separator: ",") + "]}"
    }

    func jobCount() throws -> Int { try query { try Int.fetchOne($0, sql: "SELECT count(*) FROM jobs") ?? 0 } }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}

/// The state of the campaign created by job `job`.
func campaignState(_ harness: DaemonHarness, _ job: String) throws -> String? {
    try harness.query { try String.fetchOne($0, sql: "SELECT c.state FROM campaigns c WHERE c.job_id = ?", arguments: [job]) }
}

/// Polls until `condition` holds, failing after `timeout` seconds with `what`, read then: it can tell what happened.
func eventually(timeout: Double = 10, _ what: @autoclosure () -> String = "condition", _ condition: () throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if (try? condition()) == true { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    if try condition() { return }
    throw HarnessTimeout(what: what())
}

/// The report figures kept as the daemon ran differ from the ones rebuilt from its raw rows.
struct ReportDrift: Error, CustomStringConvertible {
    var lines: [String]
    var description: String { "report figures drifted from the raw rows:\n" + lines.joined(separator: "\n") }
}

struct HarnessTimeout: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("spool/examples")

func example(_ name: String) throws -> String {
    try String(contentsOf: examples.appendingPathComponent(name), encoding: .utf8)
}

let minimalCampaign = #"{"type": "campaign", "account": "shop_bot", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "Hi"}]}}"#
