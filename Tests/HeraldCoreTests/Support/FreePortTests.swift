import Foundation
import Glibc
import HeraldCore
import Testing

@Suite struct FreePortTests {
    /// Ports from below the kernel's ephemeral range, which no outgoing connection or `bind(0)` is handed meanwhile,
    /// and each one free to listen on.
    @Test func take_givesListenablePorts_belowTheEphemeralRange() throws {
        let range = try String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)
        let start = try #require(range.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) })
        for _ in 0..<20 {
            let port = try FreePort.take()
            if start >= 11_000 { #expect((10_000..<start).contains(port)) }
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            let bound = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            #expect(bound && listen(fd, 1) == 0, "port \(port): errno \(errno)")
        }
    }
}
