import Crypto
import Foundation
import HeraldModel

/// The token of a tracked link: the (campaign, subscriber, link) triple and an HMAC-SHA256 tag over it with
/// the click signing key, base64url. A forged or altered token is refused by the tag alone, before any
/// database lookup; the tag is 96 bits, far beyond guessing at any request rate.
///
/// ```swift
/// let token = ClickToken(key: key).token(for: ClickTarget(campaignID: 7, subscriberID: 42, linkIndex: 0))
/// ClickToken(key: key).target(of: token)   // the same triple, or nil when forged
/// ```
public struct ClickToken: Sendable {
    let key: SymmetricKey
    static let tagBytes = 12

    public init(key: Secret) { self.key = SymmetricKey(data: Data(key.value.utf8)) }

    public func token(for target: ClickTarget) -> String {
        var payload: [UInt8] = [1]
        Self.appendVarint(UInt64(target.campaignID), to: &payload)
        Self.appendVarint(UInt64(target.subscriberID), to: &payload)
        Self.appendVarint(UInt64(target.linkIndex), to: &payload)
        let tag = HMAC<SHA256>.authenticationCode(for: payload, using: key).prefix(Self.tagBytes)
        return Self.base64url(payload + tag)
    }

    /// The triple a token stands for, or nil for anything not made with this key.
    public func target(of token: String) -> ClickTarget? {
        // Only the canonical spelling: base64's padding bits would otherwise give one token several spellings.
        guard token.utf8.count <= 64, let bytes = Self.unbase64url(token), bytes.count > Self.tagBytes + 1, bytes[0] == 1, Self.base64url(bytes) == token else { return nil }
        let payload = Array(bytes.dropLast(Self.tagBytes))
        let tag = Array(bytes.suffix(Self.tagBytes))
        let expected = Array(HMAC<SHA256>.authenticationCode(for: payload, using: key).prefix(Self.tagBytes))
        var difference: UInt8 = 0
        for index in 0..<Self.tagBytes { difference |= tag[index] ^ expected[index] }
        guard difference == 0 else { return nil }
        var cursor = 1
        guard let campaign = Self.readVarint(payload, &cursor), let subscriber = Self.readVarint(payload, &cursor), let link = Self.readVarint(payload, &cursor),
              cursor == payload.count, campaign <= UInt64(Int64.max), subscriber <= UInt64(Int64.max), link <= 10_000
        else { return nil }
        return ClickTarget(campaignID: Int64(campaign), subscriberID: Int64(subscriber), linkIndex: Int(link))
    }

    static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    static func readVarint(_ bytes: [UInt8], _ cursor: inout Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while cursor < bytes.count, shift < 64 {
            let byte = bytes[cursor]
            cursor += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }

    static func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func unbase64url(_ text: String) -> [UInt8]? {
        guard text.utf8.allSatisfy({ JobID.isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }
}
