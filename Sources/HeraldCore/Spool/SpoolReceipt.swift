import Foundation

/// The daemon's name for one claimed file: its claim time (UTC, to the millisecond) and randomness,
/// `20261125T101031.123Z-7QK2M9`. Files in active/, done/ and failed/ are `<receipt>~<original name>`,
/// so they sort by arrival, never collide, and can be matched to their database row after a crash.
public enum SpoolReceipt {
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    /// A fresh receipt for a claim at `date`.
    public static func make(at date: Date, using generator: inout some RandomNumberGenerator) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(milliseconds / 1000)))
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let stamp = pad(parts.year, 4) + pad(parts.month, 2) + pad(parts.day, 2) + "T" + pad(parts.hour, 2) + pad(parts.minute, 2) + pad(parts.second, 2)
            + "." + pad(Int(milliseconds % 1000), 3) + "Z"
        let random = String((0..<6).map { _ in alphabet[Int(generator.next() % 32)] })
        return stamp + "-" + random
    }

    /// A fresh receipt for now.
    public static func make(at date: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(at: date, using: &generator)
    }

    /// `<receipt>~<name>`.
    public static func fileName(receipt: String, original: String) -> String { receipt + "~" + original }

    /// Splits `<receipt>~<name>`; nil when the name carries no receipt.
    public static func split(_ fileName: String) -> (receipt: String, original: String)? {
        guard let tilde = fileName.firstIndex(of: "~") else { return nil }
        let receipt = String(fileName[..<tilde])
        guard receipt.utf8.count == 27, receipt.dropLast(7).hasSuffix("Z"), SpoolReceipt.date(of: receipt) != nil else { return nil }
        return (receipt, String(fileName[fileName.index(after: tilde)...]))
    }

    /// The claim time encoded in a receipt.
    public static func date(of receipt: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss.SSS'Z'"
        return formatter.date(from: String(receipt.prefix(19)))
    }
}
