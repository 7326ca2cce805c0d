import Foundation
import Glibc
import Synchronization

/// A bare HTTP/1.1 server on loopback that answers the first request of each connection (kept alive) and hangs up
/// on the second without a byte of answer: a platform that dies after taking a request, the case where libcurl
/// would send the request again on a fresh connection by itself.
final class HangUpServer: Sendable {
    let port: Int
    private let listener: Int32
    private let bodies = Mutex<[String]>([])

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        guard bound, listen(listener, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in serve() }.start()
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The bodies of every request read, in order.
    var requests: [String] { bodies.withLock { $0 } }

    /// Stops accepting (the thread ends at its next accept).
    func stop() { shutdown(listener, Int32(SHUT_RDWR)) }

    private func serve() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            var buffer: [UInt8] = []
            var served = 0
            while let body = readRequest(connection, &buffer) {
                bodies.withLock { $0.append(body) }
                served += 1
                guard served == 1 else { break }
                let answer = #"{"ok":true,"result":{"message_id":1,"date":1,"chat":{"id":1,"type":"private"}}}"#
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(answer.utf8.count)\r\n\r\n"
                _ = Array((head + answer).utf8).withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
            close(connection)
        }
    }

    /// One request's body (its head up to the blank line, then Content-Length bytes); nil once the peer closes.
    private func readRequest(_ connection: Int32, _ buffer: inout [UInt8]) -> String? {
        let blank = Array("\r\n\r\n".utf8)
        while true {
            if let end = buffer.indices.first(where: { buffer[$0...].starts(with: blank) }) {
                let head = String(decoding: buffer[..<end], as: UTF8.self).lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if buffer.count >= end + 4 + length {
                    let body = String(decoding: buffer[(end + 4)..<(end + 4 + length)], as: UTF8.self)
                    buffer.removeFirst(end + 4 + length)
                    return body
                }
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = recv(connection, &chunk, chunk.count, 0)
            guard count > 0 else { return nil }
            buffer += chunk[..<count]
        }
    }
}
