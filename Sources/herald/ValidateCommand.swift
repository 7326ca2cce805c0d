import Foundation
import ArgumentParser
import HeraldCore
import HeraldModel

/// `herald validate FILE...`: the daemon's intake checks, without submitting.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Check job files without submitting them; exits 1 if any is invalid.",
        discussion: """
            The daemon's own checks against the configured accounts, with the field at fault and a "did you mean".
            Examples:
              herald validate spool/examples/*.json
              herald validate - < campaign.json
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Argument(help: "Job files; - reads standard input.")
    var files: [String]

    func run() throws {
        let (_, configuration) = try options.load(readingSecrets: false)
        let check = JobFileCheck(configuration: configuration)
        var failures = 0
        for file in files {
            var bytes: [UInt8] = []
            do {
                bytes = try check.read(file)
                let (job, _) = try check.validate(bytes)
                print("\(file): ok (\(job.kind.rawValue)\(job.account.map { " for \($0)" } ?? "")\(job.id.map { ", id \($0)" } ?? ""))")
                for warning in JobWarning.check(job, now: Date()) { print("\(file): warning: \(warning.message)") }
            } catch {
                failures += 1
                print("\(check.label(file, bytes: bytes)): \(error)")
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}
