import Foundation

/// The click signing key: the configured one (`click_signing_key_file` or the credential), else one Herald
/// made itself in the state directory on first start (`click.key`, 32 random bytes as hex, mode 0600), so
/// that tracking works out of the box and links stay valid across restarts.
public enum ClickKeyFile {
    public static func key(configured: Secret?, stateDirectory: String) throws -> Secret {
        if let configured { return configured }
        let path = stateDirectory + "/click.key"
        if FileManager.default.fileExists(atPath: path) {
            return try Secret.read(path: path, what: "the generated click signing key")
        }
        var generator = SystemRandomNumberGenerator()
        let hex = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data((hex + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ConfigurationError("cannot write the click signing key \(temporary): \(String(cString: strerror(errno)))")
        }
        // Synced, then renamed into place: a crash never leaves a half-written key that would invalidate sent links.
        if let handle = FileHandle(forWritingAtPath: temporary) {
            try? handle.synchronize()
            try? handle.close()
        }
        guard rename(temporary, path) == 0 else {
            throw ConfigurationError("cannot install the click signing key \(path): \(String(cString: strerror(errno)))")
        }
        return try Secret.read(path: path, what: "the generated click signing key")
    }
}
