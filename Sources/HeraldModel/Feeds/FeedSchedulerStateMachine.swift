import Foundation

/// When each feed is polled, as a value: the feeds as stored go in (on start and whenever a feed job changes
/// them), time passes, polls finish; actions come out (poll this feed, remember when the next poll is). No I/O
/// and no clock of its own: the `FeedPoller` runs the actions and feeds the results back.
///
/// A new or changed feed is polled at once; afterwards at its frequency's slots, each a fixed jitter late; a
/// failed poll is tried again after 1, 2, 4… minutes, never later than the next regular slot.
public struct FeedSchedulerStateMachine: Sendable {
    /// A feed as the store has it.
    public struct Feed: Sendable, Equatable {
        public var name: String
        public var frequency: FeedJob.Frequency
        /// When its next poll was due, as last remembered; nil for a feed never polled.
        public var nextRunAt: Date?
        /// Changes whenever a job updates the feed (its settings' time stamp).
        public var version: Int64

        public init(name: String, frequency: FeedJob.Frequency, nextRunAt: Date?, version: Int64) {
            self.name = name
            self.frequency = frequency
            self.nextRunAt = nextRunAt
            self.version = version
        }
    }

    public enum Action: Sendable, Equatable {
        /// Fetch the feed and run it, then call `pollFinished`.
        case poll(name: String)
        /// Remember when the feed is polled next (for `herald feeds`, and for the next start).
        case scheduled(name: String, at: Date)
    }

    struct Entry: Sendable, Equatable {
        var frequency: FeedJob.Frequency
        var version: Int64
        /// The regular slot the next poll belongs to.
        var slot: Date
        var fireAt: Date
        var polling = false
        var failures = 0
        /// Changed while a poll of it ran: polled again as soon as that one ends.
        var changedWhilePolling = false
    }

    private(set) var entries: [String: Entry] = [:]
    public let maxConcurrentPolls: Int

    public init(maxConcurrentPolls: Int = 4) { self.maxConcurrentPolls = maxConcurrentPolls }

    /// The stored feeds, all of them: new ones are polled now, changed ones now, deleted ones forgotten.
    public mutating func feedsLoaded(_ feeds: [Feed], now: Date) -> [Action] {
        var seen = Set<String>()
        for feed in feeds {
            seen.insert(feed.name)
            if var entry = entries[feed.name] {
                guard entry.version != feed.version else { continue }
                entry.version = feed.version
                entry.frequency = feed.frequency
                entry.failures = 0
                if entry.polling {
                    entry.changedWhilePolling = true
                } else {
                    entry.slot = now
                    entry.fireAt = now
                }
                entries[feed.name] = entry
            } else {
                let jitter = FeedSchedule.jitter(name: feed.name, frequency: feed.frequency)
                let fireAt = feed.nextRunAt ?? now
                let slot = feed.nextRunAt.map { $0.addingTimeInterval(-jitter) } ?? now
                entries[feed.name] = Entry(frequency: feed.frequency, version: feed.version, slot: slot, fireAt: fireAt)
            }
        }
        for name in entries.keys where !seen.contains(name) { entries[name] = nil }
        return due(now: now)
    }

    /// Time passed: the feeds now due are polled, as many as may run at once (the most overdue first).
    public mutating func due(now: Date) -> [Action] {
        var running = entries.values.filter(\.polling).count
        var actions: [Action] = []
        let ready = entries.filter { !$0.value.polling && $0.value.fireAt <= now }.sorted { ($0.value.fireAt, $0.key) < ($1.value.fireAt, $1.key) }
        for (name, _) in ready where running < maxConcurrentPolls {
            entries[name]!.polling = true
            running += 1
            actions.append(.poll(name: name))
        }
        return actions
    }

    /// A poll ended (`succeeded` false: the source could not be fetched or read): its next poll is scheduled,
    /// and feeds that waited for a free place are polled.
    public mutating func pollFinished(name: String, succeeded: Bool, now: Date) -> [Action] {
        guard var entry = entries[name] else { return due(now: now) }
        entry.polling = false
        let jitter = FeedSchedule.jitter(name: name, frequency: entry.frequency)
        if entry.changedWhilePolling {
            entry.changedWhilePolling = false
            entry.slot = now
            entry.fireAt = now
        } else if succeeded {
            entry.failures = 0
            entry.slot = FeedSchedule.nextSlot(after: entry.slot, now: now, frequency: entry.frequency)
            entry.fireAt = entry.slot.addingTimeInterval(jitter)
        } else {
            entry.failures += 1
            let backoff = 60 * pow(2, Double(min(entry.failures - 1, 10)))
            let regular = FeedSchedule.nextSlot(after: entry.slot, now: now, frequency: entry.frequency).addingTimeInterval(jitter)
            entry.fireAt = min(now.addingTimeInterval(backoff), regular)
        }
        entries[name] = entry
        return [.scheduled(name: name, at: entry.fireAt)] + due(now: now)
    }

    /// When the shell should call `due` next: the earliest poll not yet running; nil when there is none.
    public var nextWake: Date? {
        entries.values.filter { !$0.polling }.map(\.fireAt).min()
    }
}
