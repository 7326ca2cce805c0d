import Foundation
import Glibc
import Synchronization

/// One daemon per state directory: an exclusive `flock` on `herald.lock` there, held for the daemon's life.
///
/// The lock file holds the owner's PID so that a refused second daemon can say who holds it. The kernel
/// drops the lock when the process dies, however it dies, so a stale file never blocks a restart.
public final class StateLock: Sendable {
    private let descriptor: Mutex<Int32>
    public let path: String

    /// Takes the lock, or throws `StateLockError.held` naming the PID that holds it.
    public init(stateDirectory: String) throws {
        let path = stateDirectory + "/herald.lock"
        self.path = path
        let fd = try systemCall("open", path) { open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o640) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = read(fd, &buffer, 31)
            close(fd)
            guard code == EWOULDBLOCK else { throw SystemCallError(call: "flock", target: path, errno: code) }
            let holder = count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "unknown"
            throw StateLockError.held(path: path, pid: Int32(holder))
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
        descriptor = Mutex(fd)
    }

    /// Releases the lock (also done when the lock is deallocated).
    public func release() {
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            close(fd)
            fd = -1
        }
    }

    deinit { release() }
}

/// Why the state directory could not be locked.
public enum StateLockError: Error, Sendable, CustomStringConvertible, Equatable {
    case held(path: String, pid: Int32?)

    public var description: String {
        switch self {
        case .held(let path, let pid):
            let who = pid.map { "herald (PID \($0))" } ?? "another herald"
            return "\(who) is already running on this state directory (it holds \(path)); stop it first, or give this one another state_directory"
        }
    }
}
