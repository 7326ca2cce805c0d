import ArgumentParser
import Foundation
import HeraldCore
import HeraldModel

/// `herald submit FILE...`: validate, then drop atomically into the spool (tmp/ → incoming/); no daemon needed.
struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Validate job files and drop them into the spool; prints each job id.",
        discussion: """
            Nothing is submitted unless every file is valid. A file without an "id" gets one, printed here.
            Examples:
              herald submit spool/examples/telegram-campaign.json
              herald submit --wait campaign.json
              generate-job | herald submit -
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Flag(help: "Follow each job to its outcome, showing progress.")
    var wait = false

    @Option(help: "With --wait: give up after this many seconds (0 waits forever).")
    var timeout: Double = 0

    @Argument(help: "Job files; - reads standard input.")
    var files: [String]

    func run() async throws {
        let (_, configuration) = try options.load(readingSecrets: false)
        let check = JobFileCheck(configuration: configuration)
        var ready: [(file: String, bytes: [UInt8], id: JobID)] = []
        var failures = 0
        // The daemon would reject a known id as a duplicate; say so now rather than after the drop.
        let store = FileManager.default.fileExists(atPath: configuration.databasePath) ? try? HeraldStore(readingAt: configuration.databasePath) : nil
        for file in files {
            var bytes: [UInt8] = []
            do {
                bytes = try check.read(file)
                let (job, _) = try check.validate(bytes)
                if let id = job.id {
                    if let existing = try? store?.jobStatus(id: id) {
                        throw JobValidationError(path: JSONPath.root.appending("id"), code: "duplicate_id", "duplicate job id \"\(id)\": a \(existing.kind) job with this id was already accepted")
                    }
                    ready.append((file, bytes, id))
                } else {
                    let id = JobID(unchecked: "j-" + SpoolReceipt.make())
                    ready.append((file, JobFileCheck.withID(bytes, id: id), id))
                }
            } catch {
                failures += 1
                printError("\(check.label(file, bytes: bytes)): \(error)")
            }
        }
        if failures > 0 {
            printError("herald: nothing submitted: \(failures) of \(files.count) files are invalid")
            throw ExitCode(1)
        }
        let spool = SpoolDirectory(root: configuration.spoolDirectory)
        try spool.writing { try spool.prepare() }
        var names: [JobID: String] = [:]
        for (file, bytes, id) in ready {
            var name = spoolName(for: file, id: id)
            try spool.writing {
                if try !spool.submit(bytes, name: name) {
                    name = String(name.dropLast(5)) + "." + id.rawValue + ".json"
                    try spool.submit(bytes, name: name)
                }
            }
            names[id] = name
            print("\(file): submitted as job \(id) to \(spool.path(.incoming))")
        }
        fflush(nil)
        switch StateLock.holding(stateDirectory: configuration.stateDirectory) {
        case .free:
            printError("herald: warning: no daemon is running with the state directory \(configuration.stateDirectory); "
                + "the jobs wait in \(spool.path(.incoming)) until one starts (systemctl start herald)")
        case .held, .unknown:
            break
        }
        guard wait else { return }
        let follower = JobFollower(configuration: configuration, timeout: timeout)
        var outcomes = 0
        for (file, _, id) in ready where try await !follower.follow(id, file: file, name: names[id]) { outcomes += 1 }
        if outcomes > 0 { throw ExitCode(1) }
    }

    /// The name in incoming/: the file's own name made safe, `.json` ensured.
    func spoolName(for file: String, id: JobID) -> String {
        var base = file == "-" ? id.rawValue : URL(fileURLWithPath: file).lastPathComponent
        base = String(base.unicodeScalars.map { scalar in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "._-".unicodeScalars.contains(scalar)) ? Character(scalar) : "_"
        })
        while base.hasPrefix(".") { base.removeFirst() }
        base = String(base.prefix(150))
        return base.hasSuffix(".json") && base.count > 5 ? base : base + ".json"
    }
}

extension SpoolDirectory {
    /// Runs a write into the spool; a failure ends the command with what it means for the user, not a system error's dump.
    func writing(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch {
            var cause = (error as NSError).localizedDescription
            if let call = error as? SystemCallError {
                cause = String(cString: strerror(call.errno))
            } else if let underlying = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? any Error).map({ $0 as NSError }), underlying.domain == NSPOSIXErrorDomain {
                cause = String(cString: strerror(Int32(underlying.code)))
            }
            printError("herald: cannot write into the spool \(root) (\(cause)): submitting needs write access to its tmp/ and incoming/ "
                + "folders, given to the spool's writer group (herald-submit when installed from the package)")
            throw ExitCode(1)
        }
    }
}
