import Foundation
import GRDB
import HeraldModel

/// The SQLite database (WAL, one writer, parallel readers): jobs, campaigns, subscribers, deliveries, events.
/// On disk for the daemon, in memory for tests; its API speaks the domain only, no GRDB types.
///
/// Every write is a named method here; no SQL lives outside `Store/`.
///
/// ```swift
/// let store = try HeraldStore(path: configuration.databasePath)
/// let verdicts = try store.accept(candidates, now: Date())
/// ```
public final class HeraldStore: Sendable {
    /// A `DatabasePool` on disk, a `DatabaseQueue` in memory.
    let database: any DatabaseWriter

    /// Opens (creating if needed) the database and brings its schema up to date.
    public init(path: String) throws {
        // Subscribers' names and histories: not for other users, whatever the umask (SQLite creates the file 0644,
        // and its -wal and -shm files with the database's own mode).
        if !FileManager.default.fileExists(atPath: path) {
            let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
            if fd >= 0 { close(fd) }
        }
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & 0o007 != 0 { _ = chmod(path, info.st_mode & 0o770) }
        var configuration = GRDB.Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // FULL: a commit is on disk before the job file leaves active/, so an accepted job survives power loss.
            // 1 MiB of page cache: a reader's cache is dropped whenever another connection committed, which during
            // a campaign is every few milliseconds, so SQLite's 2 MiB per reader was memory that served nothing.
            try db.execute(sql: "PRAGMA synchronous = FULL; PRAGMA cache_size = -1024")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        database = pool
        // DatabasePool switches the file to WAL after `prepareDatabase` ran and sets `synchronous = NORMAL` on the
        // writer as it does: set FULL again on the one connection that writes, where nothing resets it afterwards.
        // The writer's cache survives its own commits: it keeps SQLite's default size.
        try database.barrierWriteWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL; PRAGMA cache_size = -2000") }
        try StoreMigrations.migrator.migrate(pool)
    }

    /// `PRAGMA synchronous` as the writer connection and a reader connection see it (2 = FULL).
    public func synchronousModes() throws -> (writer: Int, reader: Int) {
        let writer = try database.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
        let reader = try database.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
        return (writer, reader)
    }

    /// Opens an existing database for reading only (the CLI, while the daemon runs).
    /// `upgradeWait`: how long to wait for a daemon that is upgrading the database's schema.
    public init(readingAt path: String, upgradeWait: Duration = .seconds(10)) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreOpenError(path: path) }
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        database = try DatabasePool(path: path, configuration: configuration)
        // A daemon starting on a new or older database upgrades it one migration per transaction: a reader in between
        // saw half a schema ("no such column"). Wait for the last one, then say what is wrong.
        let migrator = StoreMigrations.migrator
        let deadline = ContinuousClock.now + upgradeWait
        while try !database.read({ db in try migrator.hasCompletedMigrations(db) }) {
            guard ContinuousClock.now < deadline else {
                let applied = (try? database.read { db in try migrator.appliedMigrations(db) }.count) ?? 0
                throw StoreSchemaError(path: path, applied: applied, known: migrator.migrations.count)
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// A private database in memory, migrated: for tests that need the store's behaviour, not its file.
    public static func inMemory() throws -> HeraldStore {
        try HeraldStore(memory: DatabaseQueue())
    }

    private init(memory: DatabaseQueue) throws {
        database = memory
        try StoreMigrations.migrator.migrate(memory)
    }

    /// Of the given spool receipts, those whose jobs are already recorded.
    public func recordedReceipts(_ receipts: [String]) async throws -> Set<String> {
        guard !receipts.isEmpty else { return [] }
        return try await database.read { db in
            var found = Set<String>()
            let statement = try db.cachedStatement(sql: "SELECT 1 FROM jobs WHERE receipt = ?")
            for receipt in receipts where try Bool.fetchOne(statement, arguments: [receipt]) != nil {
                found.insert(receipt)
            }
            return found
        }
    }

    /// Writes a batch of validated jobs in one transaction; each is accepted or rejected on its own.
    public func accept(_ candidates: [IntakeCandidate], now: Date) throws -> [IntakeVerdict] {
        try database.write { db in try Self.accept(db, candidates, now: now) }
    }

    /// `accept` off the caller's thread.
    public func accept(_ candidates: [IntakeCandidate], now: Date) async throws -> [IntakeVerdict] {
        try await database.write { db in try Self.accept(db, candidates, now: now) }
    }

    private static func accept(_ db: Database, _ candidates: [IntakeCandidate], now: Date) throws -> [IntakeVerdict] {
        var verdicts: [IntakeVerdict] = []
        verdicts.reserveCapacity(candidates.count)
        for candidate in candidates {
            var verdict: IntakeVerdict = .rejected(JobValidationError(path: .root, code: "internal", "not processed"))
            try db.inSavepoint {
                verdict = try JobRecorder(db: db, now: now.millisecondsSince1970).record(candidate)
                if case .accepted = verdict { return .commit }
                return .rollback
            }
            verdicts.append(verdict)
        }
        return verdicts
    }

    /// A job's current state, for `herald submit --wait` and `herald status`.
    public func jobStatus(id: JobID) throws -> JobStatus? {
        try database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT kind, state, detail, account FROM jobs WHERE id = ?", arguments: [id.rawValue]) else {
                return nil
            }
            var status = JobStatus(id: id, kind: row["kind"], state: row["state"], detail: row["detail"], account: row["account"])
            if let campaign = try Row.fetchOne(db, sql: "SELECT id, state, send_at FROM campaigns WHERE job_id = ?", arguments: [id.rawValue]) {
                let campaignID: Int64 = campaign["id"]
                status.campaignState = campaign["state"]
                status.sendAt = Date(millisecondsSince1970: campaign["send_at"])
                let counts = try Row.fetchAll(db, sql: "SELECT state, count(*) AS n FROM deliveries WHERE campaign_id = ? GROUP BY state", arguments: [campaignID])
                status.deliveries = Dictionary(uniqueKeysWithValues: counts.map { ($0["state"], $0["n"]) })
                let failures = try Row.fetchAll(
                    db, sql: "SELECT coalesce(error, 'unknown') AS reason, count(*) AS n FROM deliveries WHERE campaign_id = ? AND state = 'failed' GROUP BY reason",
                    arguments: [campaignID]
                )
                status.failures = Dictionary(uniqueKeysWithValues: failures.map { ($0["reason"], $0["n"]) })
            }
            return status
        }
    }

    /// Whether any delivery of these jobs' campaigns is still open (pending, sending, uncertain): two probes of the
    /// partial indexes, cheap enough to poll while a campaign runs.
    public func hasOpenDeliveries(jobs: [JobID]) throws -> Bool {
        try database.read { db in
            let ids = jobs.map(\.rawValue)
            return try Bool.fetchOne(db, sql: OpenDeliverySQL.anyOpen(jobs: jobs.count), arguments: StatementArguments(ids + ids)) ?? false
        }
    }

    /// Counts for the daemon's status line.
    public func counts() throws -> StoreCounts {
        try database.read { db in
            StoreCounts(
                jobs: try Int.fetchOne(db, sql: "SELECT count(*) FROM jobs") ?? 0,
                campaignsWaiting: try Int.fetchOne(db, sql: "SELECT count(*) FROM campaigns WHERE state IN ('scheduled', 'running')") ?? 0,
                subscribers: try Int.fetchOne(db, sql: "SELECT count(*) FROM subscribers WHERE status = 'subscribed'") ?? 0
            )
        }
    }

    /// Runs `PRAGMA integrity_check`; returns "ok" when the database is sound.
    public func integrityCheck() throws -> String {
        try database.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }
}

/// A claimed, validated job file ready to be recorded.
public struct IntakeCandidate: Sendable {
    public var receipt: String
    public var fileName: String
    public var body: String
    public var job: Job
    /// The recipients of a `subscribers` job: inline ones, or the rows of its data file as read at intake.
    public var subscriberRows: [Recipient]?
    /// The parsed document, so settings can be stored as the JSON the user wrote.
    public var document: JSONValue
    /// The id given in the file, or the receipt-derived one the daemon generated.
    public var jobID: JobID

    public init(receipt: String, fileName: String, body: String, job: Job, document: JSONValue, jobID: JobID) {
        self.document = document
        if case .subscribers(let subscribers) = job.body, case .inline(let recipients) = subscribers.source {
            self.subscriberRows = recipients
        }
        self.receipt = receipt
        self.fileName = fileName
        self.body = body
        self.job = job
        self.jobID = jobID
    }
}

/// The store's decision on one candidate.
public enum IntakeVerdict: Sendable, Equatable {
    case accepted(summary: String)
    case rejected(JobValidationError)
}

/// What `herald submit --wait` follows.
public struct JobStatus: Sendable, Equatable {
    public var id: JobID
    public var kind: String
    public var state: String
    public var detail: String?
    public var account: String?
    public var campaignState: String?
    public var sendAt: Date?
    public var deliveries: [String: Int] = [:]
    /// Failed deliveries by reason.
    public var failures: [String: Int] = [:]

    /// Whether the job has reached its outcome.
    public var isFinished: Bool {
        if let campaignState { return CampaignState(rawValue: campaignState)?.isFinished ?? false }
        return JobState(rawValue: state)?.isFinished ?? false
    }
}

/// Figures for the status line.
public struct StoreCounts: Sendable, Equatable {
    public var jobs: Int
    public var campaignsWaiting: Int
    public var subscribers: Int
}

/// There is no database where a report looked for one.
public struct StoreOpenError: Error, CustomStringConvertible {
    public var path: String
    public var description: String { "no database at \(path): has the daemon run with this state directory (--state, or state_dir in the configuration)?" }
}

/// A database whose schema is not the one this Herald reads: older and not being upgraded, or not Herald's at all.
public struct StoreSchemaError: Error, CustomStringConvertible {
    public var path: String
    /// Migrations the database has, and those this Herald knows.
    public var applied: Int
    public var known: Int
    public var description: String {
        applied == 0
            ? "\(path) is not a Herald database yet (no schema): if a daemon is starting on it, try again in a moment"
            : "the database at \(path) has \(applied) of the \(known) schema steps this Herald reads: start the daemon (herald run), which upgrades it, then try again"
    }
}
