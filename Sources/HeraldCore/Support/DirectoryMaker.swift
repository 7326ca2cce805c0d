import Foundation
import Glibc

/// Makes a directory and the missing ones above it, as `mkdir -p` does, failing with the system's words and the
/// path that failed ("mkdir /srv/spool: Permission denied") instead of Foundation's error domains.
public enum DirectoryMaker {
    /// Makes `path` and its missing parents with `mode` (before the umask); a directory already there is left alone.
    public static func make(_ path: String, mode: mode_t = 0o755) throws(SystemCallError) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw SystemCallError(call: "mkdir", target: path, errno: ENOTDIR) }
            return
        }
        // A relative name of one component ("spool", the embedded default) has no parent to make.
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path { try make(parent, mode: mode) }
        guard mkdir(path, mode) == 0 || errno == EEXIST else { throw SystemCallError(call: "mkdir", target: path, errno: errno) }
    }
}
