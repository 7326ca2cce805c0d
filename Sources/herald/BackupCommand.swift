import ArgumentParser
import Foundation
import HeraldCore

/// `herald backup FILE`: the database, copied while the daemon runs.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the database to FILE with SQLite's online backup, beside the running daemon.",
        discussion: """
            The copy is consistent (one snapshot), checked with PRAGMA integrity_check, and created 0640: it holds \
            subscribers' personal data. To restore: systemctl stop herald, copy the file to state_dir/herald.sqlite \
            (owner herald, mode 0640), remove herald.sqlite-wal and -shm there, systemctl start herald.
            Examples:
              herald backup /var/backups/herald-$(date +%F).sqlite
            """
    )

    @OptionGroup var options: ConfigurationOptions
    @Argument(help: "Where the copy goes; it must not exist yet.") var file: String

    func run() async throws {
        let (_, configuration) = try options.load(readingSecrets: false)
        guard !FileManager.default.fileExists(atPath: file) else {
            printError("herald: \(file) exists already; give a new file name")
            throw ExitCode(1)
        }
        let store = try openStore(configuration)
        let partial = file + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        do {
            let verdict = try store.backup(to: partial)
            guard verdict == "ok" else {
                printError("herald: the copy fails its integrity check (\(verdict)); it is left in \(partial)")
                throw ExitCode(1)
            }
            try FileManager.default.moveItem(atPath: partial, toPath: file)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            printError("herald: cannot back up \(configuration.databasePath) to \(file): \(error)")
            throw ExitCode(1)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        print("backed up \(configuration.databasePath) to \(file) (\(size / 1024) KiB, integrity ok)")
    }
}
