/// What waits, shaped like Postfix's `qshape`: open deliveries by account, in columns of how long their campaign
/// has been under way (minutes, doubling), so that a stuck account or an old backlog stands out.
public struct QueueShape: Sendable, Equatable {
    /// The upper bounds of the age columns, in minutes; the last column holds everything older.
    public static let bounds = [5, 10, 20, 40, 80, 160, 320, 640, 1280]

    /// Per account: the count in each column (`bounds.count + 1` of them).
    public private(set) var rows: [String: [Int]] = [:]

    public init() {}

    /// Adds `count` deliveries of `account` waiting for `minutes`.
    public mutating func add(account: String, minutes: Int, count: Int) {
        let column = Self.bounds.firstIndex { minutes < $0 } ?? Self.bounds.count
        rows[account, default: Array(repeating: 0, count: Self.bounds.count + 1)][column] += count
    }

    public var total: Int { rows.values.reduce(0) { $0 + $1.reduce(0, +) } }

    /// The table: a header of column bounds, a TOTAL row, then one row per account, largest first.
    public var table: String {
        let header = ["", "T"] + Self.bounds.map(String.init) + ["\(Self.bounds.last!)+"]
        let columnTotals = (0...Self.bounds.count).map { column in rows.values.reduce(0) { $0 + $1[column] } }
        let lines = [["TOTAL", "\(total)"] + columnTotals.map(String.init)]
            + rows.sorted { ($0.value.reduce(0, +), $1.key) > ($1.value.reduce(0, +), $0.key) }.map { [$0.key, "\($0.value.reduce(0, +))"] + $0.value.map(String.init) }
        let first = max(8, lines.map { $0[0].count }.max() ?? 0)
        let width = max(6, lines.flatMap { $0.dropFirst() }.map(\.count).max() ?? 0)
        func format(_ cells: [String]) -> String {
            cells[0].padding(toLength: first, withPad: " ", startingAt: 0) + cells.dropFirst().map { " " + $0.leftPadded(width) }.joined()
        }
        return ([format(header)] + lines.map(format)).joined(separator: "\n")
    }
}
