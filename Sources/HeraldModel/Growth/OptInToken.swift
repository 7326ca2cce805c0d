/// The one-time token a popup form's submission answers with: 16 random bytes as 22 base64url characters,
/// carried in the deep link (`ref=` / `start=`) that brings the person to the chat.
public struct OptInToken: Sendable, Hashable, CustomStringConvertible {
    public static let length = 22
    public let text: String

    /// A token of the right shape, or nil.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == Self.length, bytes.allSatisfy({ JobID.isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }) else { return nil }
        self.text = text
    }

    /// A token from 16 random bytes (the caller's generator: tests give theirs).
    public init(randomBytes: [UInt8]) {
        precondition(randomBytes.count == 16)
        text = String(Base64URL.encode(randomBytes).prefix(Self.length))
    }

    public var description: String { text }
}

/// Base64url without padding (RFC 4648 §5).
enum Base64URL {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value = 0
            for (offset, byte) in chunk.enumerated() { value |= Int(byte) << (16 - 8 * offset) }
            for position in 0...chunk.count { out.append(alphabet[(value >> (18 - 6 * position)) & 63]) }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
