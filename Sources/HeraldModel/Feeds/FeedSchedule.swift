import Foundation

/// When a feed is polled: slots at its frequency, each fired a little late by a jitter fixed per feed (from its
/// name), so that many feeds on the same frequency spread out instead of firing together.
public enum FeedSchedule {
    /// The most a poll is put off: a tenth of the interval, at most two minutes.
    static func maxJitter(_ frequency: FeedJob.Frequency) -> TimeInterval {
        switch frequency {
        case .everyMinutes(let minutes): min(Double(minutes) * 6, 120)
        case .daily, .weekly: 120
        }
    }

    /// The feed's jitter: a stable fraction of `maxJitter` from an FNV-1a hash of its name.
    public static func jitter(name: String, frequency: FeedJob.Frequency) -> TimeInterval {
        Double(fnv1a(name) % 1000) / 1000 * maxJitter(frequency)
    }

    /// The first slot strictly after `after`: the interval on from `slot` for `every_*` frequencies (skipping
    /// slots missed while the daemon was down), the next wall-clock time in the zone for daily and weekly ones.
    public static func nextSlot(after slot: Date, now: Date, frequency: FeedJob.Frequency) -> Date {
        switch frequency {
        case .everyMinutes(let minutes):
            let interval = TimeInterval(minutes * 60)
            var next = slot.addingTimeInterval(interval)
            if next <= now { next = next.addingTimeInterval((now.timeIntervalSince(next) / interval).rounded(.down) * interval + interval) }
            return next
        case .daily(let hour, let minute, let zone):
            return nextMatch(after: max(slot, now), components: DateComponents(hour: hour, minute: minute, second: 0), zone: zone)
        case .weekly(let weekday, let hour, let minute, let zone):
            return nextMatch(after: max(slot, now), components: DateComponents(hour: hour, minute: minute, second: 0, weekday: weekday), zone: zone)
        }
    }

    private static func nextMatch(after date: Date, components: DateComponents, zone: String) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone) ?? TimeZone(identifier: "UTC")!
        // A time that a daylight-saving jump skips is taken as the first moment after the jump.
        return calendar.nextDate(after: date, matching: components, matchingPolicy: .nextTime) ?? date.addingTimeInterval(86_400)
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// A short stable hex name for an item key (job ids cannot hold arbitrary text).
    public static func keyHash(_ key: String) -> String {
        let hex = String(fnv1a(key), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
