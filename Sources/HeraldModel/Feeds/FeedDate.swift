import Foundation

/// Reads the dates feeds carry: RFC 822 (RSS) and RFC 3339 (Atom, JSON Feed), and the broken variants seen in
/// the wild (no weekday, two-digit years, no seconds, zone names, a space for the `T`, no zone at all: UTC).
public enum FeedDate {
    /// The date, or nil when the text is not a date in any of the forms.
    public static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.utf8.count <= 64 else { return nil }
        if let first = trimmed.unicodeScalars.first, CharacterSet.decimalDigits.contains(first),
           trimmed.count >= 10, trimmed[trimmed.index(trimmed.startIndex, offsetBy: 4)] == "-" {
            return rfc3339(trimmed)
        }
        return rfc822(trimmed)
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    /// Zone names RFC 822 defines, and a few that feeds use anyway; offsets in minutes.
    private static let zones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0, "est": -300, "edt": -240, "cst": -360, "cdt": -300, "mst": -420, "mdt": -360,
        "pst": -480, "pdt": -420, "cet": 60, "cest": 120, "bst": 60, "ist": 330, "jst": 540, "aest": 600,
    ]

    /// `[Wkd,] D Mon YYYY HH:MM[:SS] [zone]`, loosely.
    static func rfc822(_ text: String) -> Date? {
        var words = text.lowercased().split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map(String.init)
        if let first = words.first, first.first?.isLetter == true, !months.contains(where: { first.hasPrefix($0) }) { words.removeFirst() }
        guard words.count >= 3 else { return nil }
        // `Mon D YYYY` (month first) appears too.
        if words[0].first?.isLetter == true { words.swapAt(0, 1) }
        guard let day = Int(words[0]), (1...31).contains(day),
              let month = months.firstIndex(where: { words[1].hasPrefix($0) }),
              var year = Int(words[2])
        else { return nil }
        if words[2].count == 2 { year += year < 50 ? 2000 : 1900 }
        guard (1970...9999).contains(year) else { return nil }
        var hour = 0, minute = 0, second = 0, offset = 0
        if words.count > 3 {
            let clock = words[3].split(separator: ":").map { Int($0) }
            guard clock.count >= 2, clock.count <= 3, clock.allSatisfy({ $0 != nil }) else { return nil }
            hour = clock[0]!
            minute = clock[1]!
            second = clock.count == 3 ? clock[2]! : 0
            guard hour <= 23, minute <= 59, second <= 60 else { return nil }
        }
        if words.count > 4 {
            guard let zone = zoneOffset(words[4]) else { return nil }
            offset = zone
        }
        return date(year: year, month: month + 1, day: day, hour: hour, minute: minute, second: second, offsetMinutes: offset)
    }

    /// `+0100`, `-05:00`, `+01`, or a zone name.
    static func zoneOffset(_ word: String) -> Int? {
        if let named = zones[word] { return named }
        guard let sign = word.first, sign == "+" || sign == "-" else { return nil }
        let digits = word.dropFirst().filter { $0 != ":" }
        guard digits.allSatisfy(\.isNumber), digits.count == 4 || digits.count == 2, let value = Int(digits) else { return nil }
        let minutes = digits.count == 4 ? value / 100 * 60 + value % 100 : value * 60
        guard minutes <= 14 * 60 else { return nil }
        return sign == "-" ? -minutes : minutes
    }

    /// `YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z|±HH:MM|±HHMM]`.
    static func rfc3339(_ text: String) -> Date? {
        let scalars = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= scalars.count else { return nil }
            var value = 0
            for byte in scalars[range] {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard scalars.count >= 10, let year = number(0..<4), scalars[4] == UInt8(ascii: "-"), let month = number(5..<7),
              scalars[7] == UInt8(ascii: "-"), let day = number(8..<10), (1...12).contains(month), (1...31).contains(day), year >= 1970
        else { return nil }
        guard scalars.count > 10 else { return date(year: year, month: month, day: day, hour: 0, minute: 0, second: 0, offsetMinutes: 0) }
        guard scalars[10] == UInt8(ascii: "T") || scalars[10] == UInt8(ascii: "t") || scalars[10] == UInt8(ascii: " "),
              let hour = number(11..<13), scalars.count >= 16, scalars[13] == UInt8(ascii: ":"), let minute = number(14..<16),
              hour <= 23, minute <= 59
        else { return nil }
        var index = 16
        var second = 0
        if index < scalars.count, scalars[index] == UInt8(ascii: ":") {
            guard let value = number(17..<19), value <= 60 else { return nil }
            second = value
            index = 19
        }
        var fraction = 0.0
        if index < scalars.count, scalars[index] == UInt8(ascii: ".") || scalars[index] == UInt8(ascii: ",") {
            var scale = 0.1
            index += 1
            while index < scalars.count, (48...57).contains(scalars[index]) {
                fraction += Double(scalars[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offset = 0
        let rest = String(decoding: scalars[index...], as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
        if !rest.isEmpty {
            guard let zone = zoneOffset(rest) else { return nil }
            offset = zone
        }
        return date(year: year, month: month, day: day, hour: hour, minute: minute, second: second, offsetMinutes: offset)?.addingTimeInterval(fraction)
    }

    private static func date(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, offsetMinutes: Int) -> Date? {
        // Days from civil (Howard Hinnant's algorithm): no calendar object, no locale.
        let monthDays = [31, (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day <= monthDays[month - 1] else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offsetMinutes * 60
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }
}
