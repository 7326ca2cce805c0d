/// An account's audience: subscribers by status, growth source and tag, and how it grew day by day.
public struct AudienceReport: Sendable, Equatable {
    /// A label and how many subscribers have it (`now`: of them, still subscribed).
    public struct Count: Sendable, Equatable {
        public var label: String
        public var total: Int
        public var now: Int
        public init(label: String, total: Int, now: Int) {
            self.label = label
            self.total = total
            self.now = now
        }
    }

    /// One UTC day: how many came and how many left.
    public struct Day: Sendable, Equatable {
        public var day: String
        public var subscribed: Int
        public var left: Int
        public init(day: String, subscribed: Int, left: Int) {
            self.day = day
            self.subscribed = subscribed
            self.left = left
        }
    }

    public var account: String
    public var byStatus: [Count]
    public var bySource: [Count]
    public var byTag: [Count]
    public var days: [Day]

    public init(account: String, byStatus: [Count], bySource: [Count], byTag: [Count], days: [Day]) {
        self.account = account
        self.byStatus = byStatus
        self.bySource = bySource
        self.byTag = byTag
        self.days = days
    }

    public var total: Int { byStatus.reduce(0) { $0 + $1.total } }

    /// As text for a terminal.
    public var table: String {
        func section(_ title: String, _ counts: [Count], showNow: Bool) -> [String] {
            guard !counts.isEmpty else { return ["  \(title): none"] }
            let width = max(12, counts.map(\.label.count).max() ?? 0)
            return ["  \(title):"] + counts.map { count in
                "    " + count.label.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + String(count.total).leftPadded(6)
                    + (showNow ? "   (\(count.now) still subscribed)" : "")
            }
        }
        var lines = ["\(account): \(total) subscribers"]
        lines += section("by status", byStatus, showNow: false)
        lines += section("by growth source", bySource, showNow: true)
        lines += section("by tag", byTag, showNow: true)
        if !days.isEmpty {
            lines.append("  by day (UTC; came / left):")
            lines += days.map { "    \($0.day)  +\($0.subscribed) / -\($0.left)" }
        }
        return lines.joined(separator: "\n")
    }

    /// `{"account", "total", "by_status": {...}, "by_source": {label: {"total", "subscribed"}}, "by_tag": {...}, "days": [...]}`.
    public var json: String {
        func counts(_ list: [Count], now: Bool) -> JSONValue {
            .object(JSONObject(list.map { ($0.label, now ? .object(["total": .number(String($0.total)), "subscribed": .number(String($0.now))]) : .number(String($0.total))) }))
        }
        return JSONValue.object([
            "account": .string(account), "total": .number(String(total)), "by_status": counts(byStatus, now: false),
            "by_source": counts(bySource, now: true), "by_tag": counts(byTag, now: true),
            "days": .array(days.map { .object(["day": .string($0.day), "subscribed": .number(String($0.subscribed)), "left": .number(String($0.left))]) }),
        ]).jsonText
    }

    /// `dimension,label,total,subscribed,left` rows (a day: who came in `total`, who left in `left`).
    public var csv: String {
        var rows = [["dimension", "label", "total", "subscribed", "left"]]
        rows += byStatus.map { ["status", $0.label, "\($0.total)", "", ""] }
        rows += bySource.map { ["source", $0.label, "\($0.total)", "\($0.now)", ""] }
        rows += byTag.map { ["tag", $0.label, "\($0.total)", "\($0.now)", ""] }
        rows += days.map { ["day", $0.day, "\($0.subscribed)", "", "\($0.left)"] }
        return ReportRendering.csv(rows)
    }
}

extension String {
    /// The string right-aligned in `width` characters.
    public func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
