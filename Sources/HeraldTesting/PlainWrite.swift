import Glibc
import HeraldCore

/// Writes a file the way `cp` does (created, written and closed in place, no staging), its descriptor closed on exec.
///
/// Foundation's `Data.write` opens without `O_CLOEXEC`: a process another test spawned during the write inherited the
/// descriptor until its exec, and the daemon's lease check then saw the file as still being written.
public enum PlainWrite {
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemCallError(call: "open", target: path, errno: errno) }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemCallError(call: "write", target: path, errno: errno)
            }
            written += count
        }
    }
}
