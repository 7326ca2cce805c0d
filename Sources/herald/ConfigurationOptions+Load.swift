import ArgumentParser
import HeraldCore

extension ConfigurationOptions {
    /// The configuration file's path and its loaded, overridden contents; errors end the command with exit 78 (EX_CONFIG).
    /// Commands that never call a platform pass `readingSecrets: false`, so that spool writers need no access to tokens.
    func load(readingSecrets: Bool = true) throws -> (path: String?, configuration: Configuration) {
        let loader = ConfigurationLoader(readsSecrets: readingSecrets)
        let path = loader.resolvePath(explicit: config)
        do {
            var configuration = try loader.load(path: path)
            if let spool { configuration.spoolDirectory = spool }
            if let state { configuration.stateDirectory = state }
            return (path, configuration)
        } catch {
            printError("herald: \(error)")
            throw ExitCode(78)
        }
    }
}

/// Writes a line to standard error.
func printError(_ line: String) {
    var stream = StandardError()
    print(line, to: &stream)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}

import Foundation
