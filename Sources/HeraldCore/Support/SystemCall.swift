import Glibc

/// A failed system call: which call, on what, and errno's text.
public struct SystemCallError: Error, Sendable, CustomStringConvertible {
    public var call: String
    public var target: String
    public var errno: Int32

    public init(call: String, target: String, errno: Int32) {
        self.call = call
        self.target = target
        self.errno = errno
    }

    public var description: String { "\(call) \(target): \(String(cString: strerror(errno)))" }
}

/// Runs a system call, retrying on EINTR and turning -1 into a `SystemCallError`: the one place errno is read.
@discardableResult
func systemCall<T: BinaryInteger>(_ call: String, _ target: String, _ body: () -> T) throws(SystemCallError) -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = Glibc.errno
        if code == EINTR { continue }
        throw SystemCallError(call: call, target: target, errno: code)
    }
}
