import CShim
import Foundation
import Glibc
import HeraldModel

/// The spool on disk, and the only code that renames its files.
///
/// States are folders: writers stage in `tmp/` and rename into `incoming/`; the daemon claims a file by
/// renaming it into `active/` under a receipt (`<receipt>~<name>`), records it, then moves it to `done/`
/// or, with a `.error.json` beside it, to `failed/`. Bulk files for `subscribers` jobs live in `data/`.
public struct SpoolDirectory: Sendable {
    /// A spool state folder.
    public enum Folder: String, Sendable, CaseIterable {
        case tmp, incoming, active, done, failed, data

        /// Where job writers (the spool's group) create files; the other folders are the daemon's.
        var writersWrite: Bool { self == .tmp || self == .incoming || self == .data }
    }

    public let root: String

    public init(root: String) { self.root = root }

    public func path(_ folder: Folder) -> String { root + "/" + folder.rawValue }

    public func path(_ folder: Folder, _ name: String) -> String { root + "/" + folder.rawValue + "/" + name }

    /// Creates any missing state folders, as the package's tmpfiles.d does: setgid, so that files dropped there stay
    /// in the spool's group, and writable by that group where writers write (tmp/, incoming/, data/). Existing
    /// folders keep the modes they have.
    public func prepare() throws {
        try makeFolder(root, mode: 0o2750)
        for folder in Folder.allCases {
            try makeFolder(path(folder), mode: folder.writersWrite ? 0o2770 : 0o2750)
        }
    }

    private func makeFolder(_ path: String, mode: mode_t) throws {
        var info = stat()
        guard stat(path, &info) != 0 else { return }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty { try DirectoryMaker.make(parent) }
        guard mkdir(path, mode) == 0 || errno == EEXIST else { throw SystemCallError(call: "mkdir", target: path, errno: errno) }
        // mkdir(2) applies the umask and drops the setgid bit on some filesystems: set the mode as meant.
        _ = chmod(path, mode)
    }

    /// Whether a name is one the daemon should pick up: not hidden, ending in `.json`.
    public static func isJobName(_ name: String) -> Bool {
        !name.hasPrefix(".") && name.hasSuffix(".json") && name.utf8.count > 5
    }

    /// Entry names in a folder (no `.` and `..`), unsorted.
    public func list(_ folder: Folder) throws -> [String] {
        guard let directory = opendir(path(folder)) else {
            throw SystemCallError(call: "opendir", target: path(folder), errno: errno)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Renames a file between folders. Returns false if the source vanished (someone else took it).
    @discardableResult
    public func move(_ name: String, from source: Folder, to destination: Folder, as newName: String? = nil) throws -> Bool {
        let from = path(source, name)
        let to = path(destination, newName ?? name)
        if cshim_rename_noreplace(from, to) == 0 { return true }
        if errno == ENOENT { return false }
        throw SystemCallError(call: "rename", target: "\(from) → \(to)", errno: errno)
    }

    /// Makes earlier renames into or out of a folder durable.
    public func sync(_ folder: Folder) throws {
        let fd = try systemCall("open", path(folder)) { open(path(folder), O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(fd) }
        try systemCall("fsync", path(folder)) { fsync(fd) }
    }

    /// Writes a file durably and atomically: into a temporary name in the folder, fsync, rename, fsync the folder.
    public func writeDurably(_ bytes: [UInt8], to folder: Folder, name: String, mode: mode_t = 0o644) throws {
        let temporary = path(folder, ".\(name).\(getpid()).tmp")
        let fd = try systemCall("open", temporary) { open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode) }
        do {
            try writeAll(fd, bytes, target: temporary)
            try systemCall("fsync", temporary) { fsync(fd) }
            close(fd)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        try systemCall("rename", temporary) { rename(temporary, path(folder, name)) }
        try sync(folder)
    }

    /// Submits a job the way writers should: write `tmp/NAME`, fsync, rename into `incoming/`, fsync `incoming/`.
    /// Never replaces a file waiting in incoming/: returns false (and removes the staged copy) if the name is taken.
    @discardableResult
    public func submit(_ bytes: [UInt8], name: String) throws -> Bool {
        let staged = path(.tmp, name)
        let fd = try systemCall("open", staged) { open(staged, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o640) }
        do {
            try writeAll(fd, bytes, target: staged)
            try systemCall("fsync", staged) { fsync(fd) }
            close(fd)
        } catch {
            close(fd)
            unlink(staged)
            throw error
        }
        if cshim_rename_noreplace(staged, path(.incoming, name)) != 0 {
            let code = errno
            unlink(staged)
            if code == EEXIST { return false }
            throw SystemCallError(call: "rename", target: "\(staged) → \(path(.incoming, name))", errno: code)
        }
        try sync(.incoming)
        return true
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8], target: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = try bytes.withUnsafeBytes { buffer in
                try systemCall("write", target) { write(fd, buffer.baseAddress! + offset, buffer.count - offset) }
            }
            offset += written
        }
    }

    /// Deletes a file (only `done/` pruning and the daemon's own temporary files use this).
    public func remove(_ name: String, from folder: Folder) {
        unlink(path(folder, name))
    }
}
