import Foundation

/// Campaign reports as text: a table for a terminal, CSV for spreadsheets, JSON in the documented schema
/// (spool/report.schema.json). Times are RFC 3339 in UTC; a read count the platform cannot give is null / n/a.
public enum ReportRendering {
    // MARK: The list of campaigns

    public static let listColumns = ["campaign", "account", "platform", "status", "audience", "sent", "delivered", "read", "clicked", "ctr", "failed", "started", "finished"]

    /// One row per campaign, columns as `listColumns`.
    static func listRow(_ funnel: CampaignFunnel) -> [String] {
        [
            funnel.jobID, funnel.account, funnel.platform.rawValue, funnel.state, "\(funnel.audience)", "\(funnel.sent)", "\(funnel.delivered)",
            funnel.read.map(String.init) ?? "n/a", "\(funnel.clickedHumans)", percent(funnel.clickThroughRate), "\(funnel.failedCount)",
            time(funnel.startedAt) ?? "", time(funnel.finishedAt) ?? "",
        ]
    }

    /// The campaigns as a table no wider than `width`: times as `MM-DD HH:MM` UTC, the campaign column shortened
    /// first, then the finish and start columns left out.
    public static func listTable(_ funnels: [CampaignFunnel], width: Int = 120) -> String {
        guard !funnels.isEmpty else { return "No campaigns yet." }
        var header = ["CAMPAIGN", "ACCOUNT", "PLATFORM", "STATUS", "AUDIENCE", "SENT", "DELIVERED", "READ", "CLICKED", "CTR", "FAILED", "STARTED", "FINISHED"]
        var rows = funnels.map(listRow).map { row in row.enumerated().map { $0.offset >= 11 ? String($0.element.dropFirst(5).prefix(11)).replacingOccurrences(of: "T", with: " ") : $0.element } }
        func widths() -> [Int] { header.indices.map { column in max(header[column].count, rows.map { $0[column].count }.max() ?? 0) } }
        func total(_ widths: [Int]) -> Int { widths.reduce(0, +) - widths[0] + 12 + 2 * (widths.count - 1) }
        while total(widths()) > width, header.count > 11 {
            header.removeLast()
            rows = rows.map { Array($0.dropLast()) }
        }
        var columns = widths()
        let over = columns.reduce(0, +) + 2 * (columns.count - 1) - width
        if over > 0 { columns[0] = max(12, columns[0] - over) }
        rows = rows.map { row in var row = row; if row[0].count > columns[0] { row[0] = String(row[0].prefix(columns[0] - 1)) + "…" }; return row }
        let numeric = Set(4...10)
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: max(0, columns[column] - cell.count))
                return numeric.contains(column) ? pad + cell : cell + pad
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    public static func listCSV(_ funnels: [CampaignFunnel]) -> String {
        csv([listColumns] + funnels.map(listRow))
    }

    /// `[{"campaign": {...}, "funnel": {...}}, ...]`.
    public static func listJSON(_ funnels: [CampaignFunnel]) -> String {
        JSONValue.array(funnels.map { .object(["campaign": campaignJSON($0), "funnel": funnelJSON($0)]) }).jsonText
    }

    // MARK: One campaign

    /// The schema's object: campaign, funnel, links and buttons, series.
    public static func detailJSON(_ report: CampaignReport) -> String {
        let links = report.targets.filter { $0.kind == "link" }.map { target -> JSONValue in
            .object(["url": .string(target.value), "humans": number(target.humans), "total": number(target.total), "bots": number(target.bots)])
        }
        let buttons = report.targets.filter { $0.kind == "button" }.map { target -> JSONValue in
            .object(["payload": .string(target.value), "humans": number(target.humans), "total": number(target.total)])
        }
        let series = report.series.map { bucket -> JSONValue in
            .object(["start": .string(time(bucket.start) ?? ""), "sent": number(bucket.sent), "read": number(bucket.read), "clicks": number(bucket.clicks)])
        }
        return JSONValue.object([
            "campaign": campaignJSON(report.funnel), "funnel": funnelJSON(report.funnel), "links": .array(links), "buttons": .array(buttons),
            "series_seconds": number(report.bucketSeconds), "series": .array(series),
        ]).jsonText
    }

    /// `metric,value` rows: the funnel, reasons and targets flattened for a spreadsheet.
    public static func detailCSV(_ report: CampaignReport) -> String {
        let funnel = report.funnel
        var rows: [[String]] = [["metric", "value"]]
        rows += [
            ["audience", "\(funnel.audience)"], ["sent", "\(funnel.sent)"], ["delivered", "\(funnel.delivered)"], ["read", funnel.read.map(String.init) ?? ""],
            ["clicked_humans", "\(funnel.clickedHumans)"], ["clicks_total", "\(funnel.humanClicks)"], ["bot_fetches", "\(funnel.botFetches)"],
            ["unsubscribed", "\(funnel.unsubscribed)"], ["failed", "\(funnel.failedCount)"], ["skipped", "\(funnel.skippedCount)"], ["pending", "\(funnel.pending)"],
        ]
        rows += funnel.failed.map { ["failed:\($0.reason)", "\($0.count)"] } + funnel.skipped.map { ["skipped:\($0.reason)", "\($0.count)"] }
        rows += report.targets.map { ["\($0.kind)_humans:\($0.value)", "\($0.humans)"] }
        return csv(rows)
    }

    /// The funnel for a terminal, with the links and buttons and a small bar chart of the series.
    public static func detailTable(_ report: CampaignReport) -> String {
        let funnel = report.funnel
        func row(_ label: String, _ value: String, _ note: String = "") -> String {
            "  " + label.padding(toLength: 24, withPad: " ", startingAt: 0) + String(repeating: " ", count: max(0, 8 - value.count)) + value + (note.isEmpty ? "" : "   " + note)
        }
        func share(_ part: Int, _ whole: Int) -> String { percent(CampaignFunnel.share(part, of: whole)) }
        var lines = [
            "\(funnel.name ?? funnel.jobID)  [\(funnel.jobID) on \(funnel.account), \(funnel.platform.rawValue), \(funnel.state)]",
            "  started \(time(funnel.startedAt) ?? "not yet"), finished \(time(funnel.finishedAt) ?? "not yet")",
            row("audience", "\(funnel.audience)"),
        ]
        lines.append(row("skipped", "\(funnel.skippedCount)", share(funnel.skippedCount, funnel.audience)))
        lines += funnel.skipped.map { row("  " + $0.reason, "\($0.count)") }
        lines.append(row("sent", "\(funnel.sent)", share(funnel.sent, funnel.audience)))
        lines.append(row("failed", "\(funnel.failedCount)", share(funnel.failedCount, funnel.audience)))
        lines += funnel.failed.map { row("  " + $0.reason, "\($0.count)") }
        if funnel.pending > 0 { lines.append(row("still to send", "\(funnel.pending)")) }
        lines.append(row("delivered", "\(funnel.delivered)", funnel.platform == .telegram ? "accepted by Telegram (no receipts for bots)" : share(funnel.delivered, funnel.sent) + " of sent"))
        lines.append(row("read", funnel.read.map(String.init) ?? "n/a", funnel.read.map { share($0, funnel.sent) + " of sent (open rate)" } ?? "Telegram tells bots nothing"))
        lines.append(row("clicked", "\(funnel.clickedHumans)", share(funnel.clickedHumans, funnel.sent) + " of sent; \(funnel.humanClicks) clicks by people, \(funnel.botFetches) fetches by bots and previews"))
        lines.append(row("unsubscribed after", "\(funnel.unsubscribed)", share(funnel.unsubscribed, funnel.sent)))
        if !report.targets.isEmpty {
            lines.append("  clicks by link and button (people / clicks / bots):")
            lines += report.targets.map { "    \($0.humans) / \($0.total) / \($0.bots)  \($0.kind == "link" ? $0.value : "button " + $0.value)" }
        }
        if !report.series.isEmpty {
            let peak = max(1, report.series.map(\.sent).max() ?? 1)
            lines.append("  sends over time (every \(report.bucketSeconds) s; sent · read · clicks):")
            for bucket in report.series {
                let bar = String(repeating: "█", count: Int((Double(bucket.sent) / Double(peak) * 30).rounded(.up)))
                lines.append("    \((time(bucket.start) ?? "").dropFirst(11).prefix(8))  \(bar) \(bucket.sent) · \(bucket.read) · \(bucket.clicks)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// One CSV row per recipient.
    public static func recipientsCSV(_ rows: [RecipientRow]) -> String {
        csv([["recipient", "name", "state", "reason", "attempts", "sent_at", "delivered_at", "read_at", "clicks", "possible_duplicate"]] + rows.map { row in
            [
                row.platformID, row.name ?? "", row.state, row.reason ?? "", "\(row.attempts)", time(row.sentAt) ?? "", time(row.deliveredAt) ?? "",
                time(row.readAt) ?? "", "\(row.clicks)", row.possibleDuplicate ? "1" : "0",
            ]
        })
    }

    // MARK: Pieces

    static func campaignJSON(_ funnel: CampaignFunnel) -> JSONValue {
        .object([
            "id": number(Int(funnel.id)), "job_id": .string(funnel.jobID), "name": funnel.name.map(JSONValue.string) ?? .null, "account": .string(funnel.account),
            "platform": .string(funnel.platform.rawValue), "status": .string(funnel.state),
            "started_at": time(funnel.startedAt).map(JSONValue.string) ?? .null, "finished_at": time(funnel.finishedAt).map(JSONValue.string) ?? .null,
        ])
    }

    static func funnelJSON(_ funnel: CampaignFunnel) -> JSONValue {
        func reasons(_ list: [CampaignFunnel.Reason]) -> JSONValue { .object(JSONObject(list.map { ($0.reason, number($0.count)) })) }
        return .object([
            "audience": number(funnel.audience), "skipped": reasons(funnel.skipped), "sent": number(funnel.sent), "failed": reasons(funnel.failed),
            "pending": number(funnel.pending), "delivered": number(funnel.delivered), "read": funnel.read.map(number) ?? .null,
            "clicked": .object(["humans": number(funnel.clickedHumans), "total": number(funnel.humanClicks), "bots": number(funnel.botFetches)]),
            "unsubscribed": number(funnel.unsubscribed),
        ])
    }

    static func number(_ value: Int) -> JSONValue { .number(String(value)) }

    static func percent(_ share: Double) -> String { String(format: "%.1f%%", share * 100) }

    /// RFC 3339 in UTC, to the second.
    public static func time(_ milliseconds: Int64?) -> String? {
        guard let milliseconds else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }

    /// RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled; CRLF line ends. A text that
    /// a spreadsheet would run as a formula (a subscriber may call themselves `=HYPERLINK(…)`) gets a leading `'`.
    static func csv(_ rows: [[String]]) -> String {
        rows.map { row in
            row.map { field in
                let field = ["=", "+", "-", "@", "\t", "\r"].contains(where: field.hasPrefix) && Double(field) == nil ? "'" + field : field
                return field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
            }.joined(separator: ",")
        }.joined(separator: "\r\n") + "\r\n"
    }
}
