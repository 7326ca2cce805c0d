import Foundation

/// When a campaign should start: an instant (RFC 3339 with an offset) or a wall-clock time in an IANA zone.
public struct SendTime: Sendable, Hashable {
    /// The instant the campaign becomes due.
    public var date: Date
    /// The zone named by the job, when it gave a local time.
    public var zone: String?

    /// How far ahead a campaign may be scheduled.
    public static let maxLead: TimeInterval = 2 * 366 * 86_400

    /// An `expires_at`: a time like `send_at`, after both now and the send time.
    static func expiry(_ node: JSONNode?, after sendAt: Date?, now: Date) throws(JobValidationError) -> SendTime? {
        guard let node else { return nil }
        let expiry = try parse(node, now: now)
        if expiry.date <= now { throw node.error("invalid_time", "is already past; a campaign that may not go out after then would never start") }
        if let sendAt, expiry.date <= sendAt { throw node.error("invalid_time", "is not after send_at") }
        return expiry
    }

    /// Parses `"2026-12-01T09:00:00+01:00"` or `{"local": "2026-12-01T09:00", "zone": "Europe/Rome"}`.
    static func parse(_ node: JSONNode, now: Date) throws(JobValidationError) -> SendTime {
        let time: SendTime
        if case .object = node.value {
            var fields = try node.object()
            let localNode = try fields.required("local")
            let zoneNode = try fields.required("zone")
            try fields.finish()
            let zone = try timeZone(zoneNode)
            let stamp = try Timestamp.parse(localNode, allowOffset: false)
            time = SendTime(date: try stamp.resolve(in: zone, node: localNode), zone: zone.identifier)
        } else {
            let stamp = try Timestamp.parse(node, allowOffset: true)
            guard let offset = stamp.offsetSeconds else {
                throw node.error("missing_offset", "needs a UTC offset (\"2026-12-01T09:00:00+01:00\" or \"…Z\"), or use {\"local\": \"…\", \"zone\": \"Europe/Rome\"}")
            }
            time = SendTime(date: try stamp.resolve(in: TimeZone(secondsFromGMT: offset)!, node: node), zone: nil)
        }
        if time.date.timeIntervalSince(now) > maxLead {
            throw node.error("out_of_range", "is more than two years ahead")
        }
        return time
    }

    /// An IANA time-zone name such as `Europe/Rome`.
    static func timeZone(_ node: JSONNode) throws(JobValidationError) -> TimeZone {
        let name = try node.string()
        let plausible = name == "UTC" || (name.contains("/") && !name.contains("..") && !name.hasPrefix("/"))
        guard plausible, name.utf8.count <= 64, let zone = TimeZone(identifier: name) else {
            let hint = Suggestion.hint(for: name, in: TimeZone.knownTimeZoneIdentifiers)
            throw node.error("unknown_zone", "unknown time zone \(JSONPath.quote(name)); use an IANA name such as \"Europe/Rome\" or \"UTC\"\(hint)")
        }
        return zone
    }
}

/// The fields of an RFC 3339 date-time, checked against the calendar.
struct Timestamp {
    var year, month, day, hour, minute, second: Int
    var nanosecond: Int
    var offsetSeconds: Int?

    static func parse(_ node: JSONNode, allowOffset: Bool) throws(JobValidationError) -> Timestamp {
        let text = try node.string()
        let example = allowOffset ? "2026-12-01T09:00:00+01:00" : "2026-12-01T09:00"
        let malformed = node.error("invalid_time", "\(JSONPath.quote(text)) is not a date-time like \"\(example)\"")
        let bytes = Array(text.utf8)
        guard bytes.count >= 16, bytes.count <= 40 else { throw malformed }
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[range] {
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), bytes[4] == UInt8(ascii: "-"), let month = number(5..<7), bytes[7] == UInt8(ascii: "-"),
              let day = number(8..<10), bytes[10] | 0x20 == UInt8(ascii: "t") || bytes[10] == UInt8(ascii: " "),
              let hour = number(11..<13), bytes[13] == UInt8(ascii: ":"), let minute = number(14..<16)
        else { throw malformed }
        var stamp = Timestamp(year: year, month: month, day: day, hour: hour, minute: minute, second: 0, nanosecond: 0, offsetSeconds: nil)
        var index = 16
        if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
            guard let second = number(index + 1..<index + 3) else { throw malformed }
            stamp.second = second
            index += 3
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                let start = index
                while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
                guard index > start, index - start <= 9, let fraction = number(start..<index) else { throw malformed }
                stamp.nanosecond = fraction * Int(pow(10, Double(9 - (index - start))))
            }
        }
        if index < bytes.count {
            guard allowOffset else {
                throw node.error("invalid_time", "a local time must not carry an offset or Z; the zone gives it")
            }
            if bytes[index] | 0x20 == UInt8(ascii: "z"), index + 1 == bytes.count {
                stamp.offsetSeconds = 0
            } else if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-"), index + 6 == bytes.count,
                      let hours = number(index + 1..<index + 3), bytes[index + 3] == UInt8(ascii: ":"), let minutes = number(index + 4..<index + 6) {
                guard hours <= 14, minutes <= 59 else { throw node.error("invalid_time", "UTC offset must be between -14:00 and +14:00") }
                stamp.offsetSeconds = (hours * 3600 + minutes * 60) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
            } else {
                throw malformed
            }
        }
        try stamp.checkCalendar(node)
        return stamp
    }

    func checkCalendar(_ node: JSONNode) throws(JobValidationError) {
        guard (2000...2100).contains(year) else { throw node.error("invalid_time", "year \(year) is outside 2000–2100") }
        guard (1...12).contains(month) else { throw node.error("invalid_time", "month \(month) does not exist") }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...days).contains(day) else {
            throw node.error("invalid_time", "day \(day) does not exist: \(Timestamp.monthNames[month - 1]) \(year) has \(days) days")
        }
        guard hour <= 23, minute <= 59, second <= 59 else { throw node.error("invalid_time", "\(hour):\(minute):\(second) is not a valid time of day") }
    }

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

    /// The instant this wall-clock time names in a zone; a time skipped by a daylight-saving jump is an error,
    /// a repeated one means its first occurrence.
    func resolve(in zone: TimeZone, node: JSONNode) throws(JobValidationError) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second, nanosecond: nanosecond)
        guard let date = calendar.date(from: components) else { throw node.error("invalid_time", "is not a valid date-time") }
        let back = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        guard back.year == year, back.month == month, back.day == day, back.hour == hour, back.minute == minute else {
            throw node.error("nonexistent_time", "does not exist in \(zone.identifier): the clocks jump forward over it (daylight saving)")
        }
        return date
    }
}
