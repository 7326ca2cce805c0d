import Glibc
import CShim
import HeraldModel

extension SpoolDirectory {
    /// Reads a claimed file safely: never follows a symlink, never opens a FIFO or device, caps the size.
    ///
    /// The lstat happens before the open (opening a device can have side effects), and the inode is compared
    /// after it, so a file swapped in between is refused too.
    public func readFile(_ name: String, in folder: Folder, maxBytes: Int) throws(JobValidationError) -> [UInt8] {
        try SpoolDirectory.readFile(path: path(folder, name), maxBytes: maxBytes)
    }

    /// The same checks for any path (used by the CLI on files outside the spool).
    public static func readFile(path file: String, maxBytes: Int) throws(JobValidationError) -> [UInt8] {
        func reject(_ code: String, _ message: String) -> JobValidationError {
            JobValidationError(path: .root, code: code, message)
        }
        var before = stat()
        guard lstat(file, &before) == 0 else { throw reject("unreadable", "cannot stat the file: \(String(cString: strerror(errno)))") }
        switch before.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFLNK: throw reject("not_regular_file", "is a symbolic link; symlinks are never followed, copy the file itself into the spool")
        case S_IFIFO: throw reject("not_regular_file", "is a FIFO (named pipe), not a regular file")
        case S_IFCHR, S_IFBLK: throw reject("not_regular_file", "is a device node, not a regular file")
        case S_IFSOCK: throw reject("not_regular_file", "is a socket, not a regular file")
        case S_IFDIR: throw reject("not_regular_file", "is a directory, not a regular file")
        default: throw reject("not_regular_file", "is not a regular file")
        }
        if before.st_size > maxBytes {
            throw reject("too_large", "is \(before.st_size) bytes; the limit is \(maxBytes) bytes (spool.max_job_bytes)")
        }
        if before.st_size == 0 { throw reject("empty", "the file is empty: expected a JSON object") }
        let fd = open(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw reject("unreadable", "cannot open the file: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var after = stat()
        guard fstat(fd, &after) == 0, after.st_ino == before.st_ino, after.st_dev == before.st_dev, after.st_mode & S_IFMT == S_IFREG else {
            throw reject("not_regular_file", "the file changed while it was being opened")
        }
        var bytes = [UInt8](repeating: 0, count: Int(after.st_size))
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer in read(fd, buffer.baseAddress! + offset, buffer.count - offset) }
            if count < 0 {
                if errno == EINTR { continue }
                throw reject("unreadable", "read failed: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            offset += count
        }
        // A file that grew after the stat is still being written: its end is not ours to judge.
        var probe: UInt8 = 0
        if offset == bytes.count, read(fd, &probe, 1) > 0 {
            throw reject("too_large", "the file grew while it was read; writers must finish before renaming into incoming/")
        }
        return Array(bytes.prefix(offset))
    }

    /// Whether any process still holds the file open for writing (a read lease is refused then).
    ///
    /// Leases need the file's owner or CAP_LEASE; without them this answers nil and the caller falls back
    /// to waiting for the file to be quiet.
    public func isOpenForWriting(_ name: String, in folder: Folder) -> Bool? {
        let fd = open(path(folder, name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return false }
        if cshim_set_lease(fd, Int32(F_RDLCK)) == 0 {
            _ = cshim_set_lease(fd, Int32(F_UNLCK))
            return false
        }
        return errno == EAGAIN || errno == EBUSY ? true : nil
    }

    /// Seconds since the file was last modified, or nil if it cannot be examined.
    public func secondsSinceModification(_ name: String, in folder: Folder, now: Double) -> Double? {
        var info = stat()
        guard lstat(path(folder, name), &info) == 0 else { return nil }
        return now - (Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
    }
}
