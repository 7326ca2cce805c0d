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

    /// The PID of the daemon holding the state directory's lock, or nil when none does (or it cannot be told).
    public static func holder(stateDirectory: String) -> Int32? {
        if case .held(let pid) = holding(stateDirectory: stateDirectory) { return pid }
        return nil
    }

    /// Whether a daemon holds the state directory's lock: its PID, none, or unknown when the lock file cannot be
    /// seen (a spool writer outside the herald group). Read from the kernel's lock table (/proc/locks), so that
    /// asking never takes the lock and never refuses a daemon starting at that moment.
    public static func holding(stateDirectory: String) -> Holding {
        var info = stat()
        guard stat(stateDirectory + "/herald.lock", &info) == 0 else {
            return errno == ENOENT ? .free : .unknown(String(cString: strerror(errno)))
        }
        guard let table = readAll("/proc/locks") else { return .unknown("/proc/locks is unreadable") }
        for line in table.split(separator: "\n") {
            // "1: FLOCK  ADVISORY  WRITE 4242 08:01:1234567 0 EOF"
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[1] == "FLOCK", let pid = Int32(fields[4]) else { continue }
            let place = fields[5].split(separator: ":")
            guard place.count == 3, let inode = UInt64(place[2]), inode == UInt64(info.st_ino),
                  let major = UInt32(place[0], radix: 16), let minor = UInt32(place[1], radix: 16),
                  major == Self.major(UInt64(info.st_dev)), minor == Self.minor(UInt64(info.st_dev))
            else { continue }
            return .held(pid)
        }
        return .free
    }

    /// What `holding(stateDirectory:)` found.
    public enum Holding: Sendable, Equatable {
        case held(Int32)
        case free
        case unknown(String)
    }

    /// A /proc file read to its end: it reports no size, and a busy machine's lock table is many pages long.
    private static func readAll(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(fd, &chunk, chunk.count)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // glibc's gnu_dev_major / gnu_dev_minor, which are macros Swift does not import.
    private static func major(_ dev: UInt64) -> UInt32 { UInt32(((dev >> 8) & 0xfff) | ((dev >> 32) & ~UInt64(0xfff))) }
    private static func minor(_ dev: UInt64) -> UInt32 { UInt32((dev & 0xff) | ((dev >> 12) & ~UInt64(0xff))) }
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
