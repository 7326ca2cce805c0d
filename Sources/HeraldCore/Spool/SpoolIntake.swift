import Foundation
import CShim
import Glibc
import HeraldModel
import Logging
import ServiceLifecycle
import Synchronization

/// Moves job files from `incoming/` into the database: claim, validate, record, then `done/` or `failed/`.
///
/// Owns the spool's renames (through `SpoolDirectory`) and the intake transaction. Reads inotify hints from
/// `SpoolWatcher` and rescans on start, on overflow and on a timer. At start it first finishes whatever a crash
/// left in `active/`, then sends READY=1. Each loop iteration beats the heartbeat the watchdog checks.
/// On graceful shutdown it stops claiming, finishes the batch in hand and returns.
public final class SpoolIntake: Service, Sendable {
    let spool: SpoolDirectory
    let store: HeraldStore
    let settings: ConfigurationHolder
    let status: DaemonStatus
    let notifier: SystemdNotifier
    let logger: Logger
    let now: @Sendable () -> Date
    /// How long a file found by rescan must be untouched before it is taken, when leases cannot tell.
    let quietPeriod: Double
    private let watcher: SpoolWatcher
    private let needsRecovery = Mutex(false)
    /// The database refused the last batch: nothing is claimed before `retryAt`, and the run is logged once.
    private let storeFailures = Mutex(FailureStreak(base: 1, cap: 30))
    private let retryAt = Mutex<Date?>(nil)
    /// Signalled after jobs are recorded: a transactional message leaves within milliseconds, not at a poll.
    private let wakeup: Wakeup?
    /// Signalled when a feed job was accepted, for the feed poller to read the feeds again.
    private let feedsChanged: Wakeup?
    private let metrics: HeraldMetrics

    public init(
        spool: SpoolDirectory, store: HeraldStore, settings: ConfigurationHolder, status: DaemonStatus,
        notifier: SystemdNotifier, logger: Logger, now: @escaping @Sendable () -> Date = Date.init, quietPeriod: Double = 2,
        heartbeat: Double = 1, wakeup: Wakeup? = nil, feedsChanged: Wakeup? = nil, metrics: HeraldMetrics = HeraldMetrics()
    ) throws {
        self.wakeup = wakeup
        self.feedsChanged = feedsChanged
        self.metrics = metrics
        self.spool = spool
        self.store = store
        self.settings = settings
        self.status = status
        self.notifier = notifier
        self.logger = logger
        self.now = now
        self.quietPeriod = quietPeriod
        try spool.prepare()
        watcher = try SpoolWatcher(directory: spool.path(.incoming), rescanInterval: Double(settings.configuration.limits.rescanIntervalSeconds), tick: heartbeat)
    }

    public func run() async throws {
        watcher.start()
        try await recoverActive()
        status.setPhase("ready")
        status.beat(.intake)
        notifier.ready(status: status.line)
        logger.notice("ready: spool \(spool.root) recovered, database open", metadata: ["event": "ready"])
        await withGracefulShutdownHandler {
            for await _ in watcher.signals {
                if Task.isShuttingDownGracefully { break }
                await cycle()
            }
        } onGracefulShutdown: {
            self.watcher.stop()
        }
        status.setPhase("stopped")
    }

    /// One pass: take the pending hints, rescan if asked, process what is complete.
    func cycle() async {
        status.beat(.intake)
        let pending = watcher.takePending()
        if let retry = retryAt.withLock({ $0 }) {
            // Hints that came meanwhile are dropped: the retry rescans incoming/.
            guard now() >= retry else { return }
            retryAt.withLock { $0 = nil }
            needsRecovery.withLock { $0 = true }
        }
        // Arrival order matters (a pause must not overtake its campaign): events as they came; with a rescan, everything
        // oldest first, since a file whose event was missed (written before the watch, or lost to an overflow) may be
        // older than those whose events came.
        var seen = Set<String>()
        var names = pending.names.filter { SpoolDirectory.isJobName($0) && seen.insert($0).inserted }
        var rescan = pending.rescan
        if needsRecovery.withLock({ flag in defer { flag = false }; return flag }) {
            rescan = true
            do {
                try await recoverActive()
            } catch {
                // Retried like a refused write: what is in active/ must not wait for a restart.
                waitAndRetry("recovery of active/ failed", error)
                return
            }
        }
        if rescan {
            do {
                let wall = now().timeIntervalSince1970
                // Files named by events are complete; they only need their age.
                var found: [(name: String, age: Double)] = names.compactMap { name in
                    spool.secondsSinceModification(name, in: .incoming, now: wall).map { (name, $0) }
                }
                for name in try spool.list(.incoming) where SpoolDirectory.isJobName(name) && !seen.contains(name) {
                    guard let age = spool.secondsSinceModification(name, in: .incoming, now: wall) else { continue }
                    switch spool.isOpenForWriting(name, in: .incoming) {
                    case .some(false): found.append((name, age))
                    case .some(true): continue
                    case nil: if age >= quietPeriod { found.append((name, age)) }
                    }
                }
                // Oldest first; files written within one tick of the kernel's clock share a modification time, and then
                // their names decide (the directory's own order is a hash order, so two files dropped together were
                // taken in either order).
                names = found.sorted { $0.age != $1.age ? $0.age > $1.age : $0.name < $1.name }.map(\.name)
            } catch {
                fail("cannot list incoming/", error)
            }
            pruneDone()
        }
        guard !names.isEmpty else { return }
        let batchSize = settings.configuration.limits.batchSize
        var start = 0
        while start < names.count {
            let end = min(start + batchSize, names.count)
            await processBatch(Array(names[start..<end]))
            if retryAt.withLock({ $0 }) != nil { break }
            status.beat(.intake)
            start = end
        }
        let remaining = (try? spool.list(.incoming).filter(SpoolDirectory.isJobName).count) ?? 0
        status.recordIntake(accepted: 0, rejected: 0, queued: remaining)
    }

    /// Claims up to a batch of files from incoming/ and processes them.
    func processBatch(_ names: [String]) async {
        var claimed: [ClaimedFile] = []
        for name in names {
            let receipt = SpoolReceipt.make(at: now())
            let file = ClaimedFile(receipt: receipt, original: name)
            do {
                if try spool.move(name, from: .incoming, to: .active, as: file.activeName) { claimed.append(file) }
            } catch {
                fail("cannot claim \(name)", error)
            }
        }
        guard !claimed.isEmpty else { return }
        do {
            // The claim must be durable before the job is recorded: a rename lost in a crash would bring an
            // already recorded file without an id back to incoming/ as a new job.
            try spool.sync(.active)
            try spool.sync(.incoming)
        } catch {
            fail("cannot sync the spool", error)
            return
        }
        await process(claimed)
    }

    /// Validates and records claimed files, then files them in done/ or failed/. Files are recorded in
    /// transactions of at most `batchBytes` of job text, so a burst of large imports never sits in memory at once.
    func process(_ files: [ClaimedFile]) async {
        let configuration = settings.configuration
        let decoder = configuration.jobDecoder(now: now())
        var pending: [(ClaimedFile, IntakeCandidate)] = []
        var pendingBytes = 0
        var rejections: [(ClaimedFile, JobValidationError, JobID?)] = []
        var accepted = 0
        var totalBytes = 0
        for file in files {
            switch examine(file, decoder: decoder, limits: configuration.limits) {
            case .success(let candidate):
                pending.append((file, candidate))
                let size = candidate.body.utf8.count + (candidate.subscriberRows?.count ?? 0) * 64
                pendingBytes += size
                totalBytes += size
                if pendingBytes >= SpoolIntake.batchBytes {
                    guard await record(&pending, accepted: &accepted, rejections: &rejections) else { return }
                    pendingBytes = 0
                }
            case .failure(let rejection):
                rejections.append((file, rejection.error, rejection.jobID))
            }
        }
        guard await record(&pending, accepted: &accepted, rejections: &rejections) else { return }
        for (file, error, jobID) in rejections { reject(file, error: error, jobID: jobID) }
        do {
            if accepted > 0 { try spool.sync(.done) }
            if !rejections.isEmpty { try spool.sync(.failed) }
        } catch {
            fail("cannot sync the spool", error)
        }
        status.recordIntake(accepted: accepted, rejected: rejections.count, queued: 0)
        // Large imports leave freed heap behind; hand it back so a long-running daemon stays small.
        if totalBytes >= SpoolIntake.batchBytes / 4 { cshim_malloc_trim(0) }
    }

    /// Job text recorded per transaction, at most.
    static let batchBytes = 4 * 1024 * 1024

    /// Records pending candidates in one transaction and files the accepted ones; false if the store failed.
    private func record(_ pending: inout [(ClaimedFile, IntakeCandidate)], accepted: inout Int, rejections: inout [(ClaimedFile, JobValidationError, JobID?)]) async -> Bool {
        guard !pending.isEmpty else { return true }
        defer { pending.removeAll() }
        let verdicts: [IntakeVerdict]
        do {
            verdicts = try await store.accept(pending.map(\.1), now: now())
        } catch {
            // Nothing was recorded; the files stay in active/ and are recorded by the recovery pass at the retry.
            waitAndRetry("the database refuses writes: \(pending.count) jobs stay in active/", error)
            return false
        }
        if let failures = storeFailures.withLock({ $0.succeeded() }) {
            logger.notice("the database accepts writes again: intake resumed after \(failures) failed tries", metadata: ["event": "intake_resumed"])
        }
        wakeup?.signal(.jobs)
        if pending.contains(where: { $0.1.job.kind == .feed }) { feedsChanged?.signal(.jobs) }
        for ((file, candidate), verdict) in zip(pending, verdicts) {
            switch verdict {
            case .accepted(let summary):
                accepted += 1
                complete(file, candidate: candidate, summary: summary)
            case .rejected(let error):
                rejections.append((file, error, candidate.jobID))
            }
        }
        return true
    }

    /// Reads and validates one claimed file.
    private func examine(_ file: ClaimedFile, decoder: JobDecoder, limits: SpoolLimits) -> Result<IntakeCandidate, Rejection> {
        if let problem = ClaimedFile.nameProblem(file.original) {
            return .failure(Rejection(error: JobValidationError(path: .root, code: "bad_file_name", problem), jobID: nil))
        }
        let bytes: [UInt8]
        let document: JSONValue
        do throws(JobValidationError) {
            bytes = try spool.readFile(file.activeName, in: .active, maxBytes: limits.maxJobBytes)
            do {
                document = try JSONParser(maxDepth: limits.maxJSONDepth).parse(bytes)
            } catch {
                throw JobValidationError(path: error.path, code: "malformed_json", "not valid JSON: \(error)")
            }
        } catch {
            return .failure(Rejection(error: error, jobID: nil))
        }
        let job: Job
        do throws(JobValidationError) {
            job = try decoder.decode(document)
        } catch {
            return .failure(Rejection(error: error, jobID: JobID.readable(in: document)))
        }
        let jobID = job.id ?? JobID(unchecked: "j-" + file.receipt)
        var candidate = IntakeCandidate(
            receipt: file.receipt, fileName: file.original, body: String(decoding: bytes, as: UTF8.self),
            job: job, document: document, jobID: jobID
        )
        if case .subscribers(let subscribers) = job.body, case .file(let dataPath) = subscribers.source {
            do throws(JobValidationError) {
                let path = JSONPath.root.appending("file")
                let data: [UInt8]
                do throws(JobValidationError) {
                    data = try spool.readFile(dataPath.fileName, in: .data, maxBytes: 512 * 1024 * 1024)
                } catch {
                    throw JobValidationError(path: path, code: error.code, "\(dataPath): \(error.message)")
                }
                candidate.subscriberRows = try SubscriberFile.parse(data, format: dataPath.format, platform: subscribers.platform, path: path)
            } catch {
                return .failure(Rejection(error: error, jobID: jobID))
            }
        }
        return .success(candidate)
    }

    private func complete(_ file: ClaimedFile, candidate: IntakeCandidate, summary: String) {
        do {
            try spool.move(file.activeName, from: .active, to: .done)
        } catch {
            fail("accepted \(file.original) but cannot move it to done/; recovery will", error)
        }
        var metadata: Logger.Metadata = [
            "event": "accepted", "job.id": "\(candidate.jobID)", "job.kind": "\(candidate.job.kind.rawValue)",
            "file": "\(file.original)", "receipt": "\(file.receipt)",
        ]
        if let account = candidate.job.account { metadata["account"] = "\(account)" }
        logger.info("accepted \(file.original) as job \(candidate.jobID): \(summary)", metadata: metadata)
        metrics.jobAccepted(kind: candidate.job.kind.rawValue)
        for warning in JobWarning.check(candidate.job, now: now()) {
            metadata["event"] = "\(warning.code)"
            logger.warning("job \(candidate.jobID) (\(file.original)): \(warning.message)", metadata: metadata)
        }
    }

    private func reject(_ file: ClaimedFile, error: JobValidationError, jobID: JobID?) {
        var fields: [(String, JSONValue)] = [
            ("error", .string(error.description)),
            ("path", .string(error.path.components.isEmpty ? "" : error.path.description)),
            ("reason", .string(error.message)),
            ("code", .string(error.code)),
            ("file", .string(file.original)),
            ("receipt", .string(file.receipt)),
            ("rejected_at", .string(ISO8601DateFormatter().string(from: now()))),
        ]
        if let jobID { fields.append(("job_id", .string(jobID.rawValue))) }
        let text = JSONValue.object(JSONObject(fields)).jsonText + "\n"
        do {
            try spool.writeDurably(Array(text.utf8), to: .failed, name: file.errorName)
            try spool.move(file.activeName, from: .active, to: .failed)
        } catch {
            fail("cannot move rejected \(file.original) to failed/", error)
        }
        var metadata: Logger.Metadata = ["event": "rejected", "file": "\(file.original)", "receipt": "\(file.receipt)", "reason": "\(error.code)"]
        if let jobID { metadata["job.id"] = "\(jobID)" }
        logger.error("rejected \(file.original): \(error.description)", metadata: metadata)
        metrics.jobRejected(code: error.code)
    }

    /// Finishes what a crash left in active/: recorded files go to done/, the rest are processed again.
    func recoverActive() async throws {
        var unclaimed: [ClaimedFile] = []
        var withReceipt: [ClaimedFile] = []
        for name in try spool.list(.active) {
            if let (receipt, original) = SpoolReceipt.split(name) {
                withReceipt.append(ClaimedFile(receipt: receipt, original: original))
            } else if !name.hasPrefix(".") {
                // Not claimed by us (moved here by hand): claim it properly first.
                let file = ClaimedFile(receipt: SpoolReceipt.make(at: now()), original: name)
                if try spool.move(name, from: .active, to: .active, as: file.activeName) { unclaimed.append(file) }
            }
        }
        guard !withReceipt.isEmpty || !unclaimed.isEmpty else { return }
        let recorded = try await store.recordedReceipts(withReceipt.map(\.receipt))
        var reprocess = unclaimed
        for file in withReceipt {
            if recorded.contains(file.receipt) {
                try spool.move(file.activeName, from: .active, to: .done)
                logger.notice("recovered \(file.original): already recorded, moved to done/", metadata: ["event": "recovered", "file": "\(file.original)", "receipt": "\(file.receipt)"])
            } else {
                reprocess.append(file)
            }
        }
        try spool.sync(.active)
        try spool.sync(.done)
        if !reprocess.isEmpty {
            // During a run of refused writes every retry recovers them again; the run itself was logged once.
            let level: Logger.Level = storeFailures.withLock { $0.isFailing } ? .debug : .notice
            logger.log(level: level, "recovering \(reprocess.count) unrecorded files from active/", metadata: ["event": "recovering"])
            await process(reprocess)
        }
    }

    /// Deletes files in done/ older than the retention (judged by the claim time in their receipts).
    private func pruneDone() {
        guard let names = try? spool.list(.done) else { return }
        let current = now()
        let retention = TimeInterval(settings.configuration.limits.doneRetentionSeconds)
        var removed = 0
        for name in names {
            guard let (receipt, _) = SpoolReceipt.split(name), let claimed = SpoolReceipt.date(of: receipt) else { continue }
            if current.timeIntervalSince(claimed) > retention {
                spool.remove(name, from: .done)
                removed += 1
            }
        }
        if removed > 0 { logger.info("pruned \(removed) files from done/", metadata: ["event": "pruned"]) }
    }

    /// Stops claiming until a retry time that doubles up to 30 s, then recovers active/ and rescans; the run
    /// of failures is logged once, not at every try.
    private func waitAndRetry(_ message: String, _ error: any Error) {
        let (retryIn, isNew) = storeFailures.withLock { $0.failed() }
        if isNew {
            logger.error("\(message); intake waits, retrying up to every \(Int(storeFailures.withLock { $0.cap })) s: \(error)", metadata: ["event": "spool_error"])
        }
        retryAt.withLock { $0 = now().addingTimeInterval(retryIn) }
        needsRecovery.withLock { $0 = true }
    }

    private func fail(_ message: String, _ error: any Error) {
        logger.error("\(message): \(error)", metadata: ["event": "spool_error"])
    }

    struct Rejection: Error {
        var error: JobValidationError
        var jobID: JobID?
    }
}

/// A file this daemon claimed: its receipt and its name as the writer gave it.
struct ClaimedFile: Sendable {
    var receipt: String
    var original: String

    /// The name in active/, done/ and failed/; over-long originals are shortened so the rename cannot fail.
    var activeName: String {
        SpoolReceipt.fileName(receipt: receipt, original: original.utf8.count > 200 ? "name-too-long.json" : original)
    }

    /// `failed/<receipt>~<stem>.error.json`.
    var errorName: String {
        String(activeName.dropLast(5)) + ".error.json"
    }

    /// Why a name is unacceptable (control characters, length), or nil.
    static func nameProblem(_ name: String) -> String? {
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "the file name contains control characters; use letters, digits, '-', '_' and '.'"
        }
        if name.utf8.count > 200 { return "the file name is longer than 200 bytes" }
        return nil
    }
}
