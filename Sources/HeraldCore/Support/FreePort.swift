import Foundation
import Glibc

/// A loopback port nobody listens on, for a server whose address must be known before it starts (the demo's daemon
/// and simulator, a benchmark's nginx, a test's public URL).
///
/// Taken below the kernel's ephemeral range: a port the kernel handed out for `bind(0)` and got back goes to the next
/// outgoing connection or `bind(0)` that asks, and a test's server then found its port taken by a client of the tests
/// beside it.
public enum FreePort {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The lowest port taken: above the ports well-known services use.
    static let lowest = 10_000

    public static func take() throws -> Int {
        let ephemeralStart = ephemeralRange()?.lowerBound ?? 32_768
        if ephemeralStart - lowest >= 1_000 {
            for _ in 0..<64 {
                let port = Int.random(in: lowest..<ephemeralStart)
                if try bind(port) != nil { return port }
            }
        }
        // No room below the range, or all tries taken: one from the range, as the kernel picks it.
        guard let port = try bind(0) else { throw Failure(description: "cannot bind a loopback port: errno \(errno)") }
        return port
    }

    /// The kernel's range for ephemeral ports (`net.ipv4.ip_local_port_range`).
    static func ephemeralRange() -> ClosedRange<Int>? {
        guard let text = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8) else { return nil }
        let bounds = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        guard bounds.count == 2, bounds[0] <= bounds[1] else { return nil }
        return bounds[0]...bounds[1]
    }

    /// Binds 127.0.0.1:`port` (0: any) and lets it go: the port bound, or nil when it is in use.
    private static func bind(_ port: Int) throws -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }
}
