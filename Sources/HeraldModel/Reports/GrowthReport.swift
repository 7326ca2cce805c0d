import Foundation

/// How the audience grew over a period: per growth tool, views → form submissions → new subscribers with
/// conversion rates; per source (tools, Get Started, first messages, imports…), the subscribers it brought.
public struct GrowthReport: Sendable, Equatable {
    /// One growth tool's figures over the period.
    public struct Tool: Sendable, Equatable {
        public var name: String
        public var kind: String
        public var source: String
        /// Views by people (the button or popup shown, the landing page opened); bots and prefetches apart.
        public var views: Int
        public var botViews: Int
        /// Forms accepted; honeypot hits and rejected forms apart.
        public var submissions: Int
        public var honeypots: Int
        public var rejected: Int
        /// New subscribers with the tool's source, and how many of them brought a form's fields.
        public var subscribed: Int
        public var claimed: Int

        public init(name: String, kind: String, source: String, views: Int = 0, botViews: Int = 0, submissions: Int = 0, honeypots: Int = 0, rejected: Int = 0, subscribed: Int = 0, claimed: Int = 0) {
            self.name = name
            self.kind = kind
            self.source = source
            self.views = views
            self.botViews = botViews
            self.submissions = submissions
            self.honeypots = honeypots
            self.rejected = rejected
            self.subscribed = subscribed
            self.claimed = claimed
        }

        /// Whether the tool shows itself where views can be counted (a form, a button, a landing page).
        public var countsViews: Bool { ["website_button", "popup_form", "landing_page"].contains(kind) }
        public var isForm: Bool { kind == "popup_form" }

        /// New subscribers per view, submissions per view, subscribers per submission: nil without a base.
        public var conversion: Double? { countsViews && views > 0 ? Double(subscribed) / Double(views) : nil }
        public var submissionRate: Double? { isForm && views > 0 ? Double(submissions) / Double(views) : nil }
        public var completion: Double? { isForm && submissions > 0 ? Double(claimed) / Double(submissions) : nil }
    }

    /// One source's new subscribers over the period and how many of them are still subscribed.
    public struct Source: Sendable, Equatable {
        public var source: String
        public var subscribed: Int
        public var still: Int
        public init(source: String, subscribed: Int, still: Int) {
            self.source = source
            self.subscribed = subscribed
            self.still = still
        }
    }

    /// The period, UTC days `YYYY-MM-DD`, both included.
    public var from: String
    public var to: String
    public var tools: [Tool]
    public var sources: [Source]

    public init(from: String, to: String, tools: [Tool], sources: [Source]) {
        self.from = from
        self.to = to
        self.tools = tools
        self.sources = sources
    }

    static func rate(_ value: Double?) -> String { value.map { ReportRendering.percent($0) } ?? "—" }

    /// As text for a terminal.
    public var table: String {
        var lines = ["Growth from \(from) to \(to) (UTC)", ""]
        if tools.isEmpty {
            lines.append("No growth tools (create one with a growth_tool job).")
        } else {
            let header = ["TOOL", "KIND", "SOURCE", "VIEWS", "SUBMITTED", "SUBSCRIBED", "WITH FORM", "CONVERSION"]
            let rows = tools.map { tool in
                [tool.name, tool.kind, tool.source, tool.countsViews ? "\(tool.views)" : "—", tool.isForm ? "\(tool.submissions)" : "—", "\(tool.subscribed)",
                 tool.isForm ? "\(tool.claimed)" : "—", Self.rate(tool.conversion)]
            }
            lines += Self.columns([header] + rows)
            let filtered = tools.filter { $0.botViews + $0.honeypots + $0.rejected > 0 }
            if !filtered.isEmpty {
                lines.append("")
                lines += filtered.map { "  \($0.name): not counted: \($0.botViews) views by bots or prefetches, \($0.honeypots) honeypot hits, \($0.rejected) rejected forms" }
            }
        }
        lines += ["", "New subscribers by source:"]
        if sources.isEmpty { lines.append("  none") }
        lines += Self.columns([["SOURCE", "SUBSCRIBED", "STILL SUBSCRIBED"]] + sources.map { [$0.source, "\($0.subscribed)", "\($0.still)"] }).map { "  " + $0 }
        return lines.joined(separator: "\n")
    }

    static func columns(_ rows: [[String]]) -> [String] {
        guard let first = rows.first else { return [] }
        let widths = first.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in column == 0 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0) : cell.leftPadded(widths[column]) }
                .joined(separator: "  ")
        }
    }

    /// Follows `spool/growth-report.schema.json`: rates are fractions, null where there is no base.
    public var json: String {
        func number(_ value: Int) -> JSONValue { .number(String(value)) }
        func rate(_ value: Double?) -> JSONValue { value.map { .number(String(format: "%.4f", $0)) } ?? .null }
        return JSONValue.object([
            "from": .string(from), "to": .string(to),
            "tools": .array(tools.map { tool in
                .object([
                    "name": .string(tool.name), "kind": .string(tool.kind), "source": .string(tool.source),
                    "views": tool.countsViews ? number(tool.views) : .null, "bot_views": number(tool.botViews),
                    "submissions": tool.isForm ? number(tool.submissions) : .null, "honeypot_hits": number(tool.honeypots), "rejected_submissions": number(tool.rejected),
                    "subscribed": number(tool.subscribed), "subscribed_with_form": tool.isForm ? number(tool.claimed) : .null,
                    "conversion": rate(tool.conversion), "submission_rate": rate(tool.submissionRate), "form_completion": rate(tool.completion),
                ])
            }),
            "sources": .array(sources.map { .object(["source": .string($0.source), "subscribed": number($0.subscribed), "still_subscribed": number($0.still)]) }),
        ]).jsonText
    }

    /// `kind,name,source,views,submissions,subscribed,with_form,conversion` rows, tools then sources.
    public var csv: String {
        var rows = [["kind", "name", "source", "views", "bot_views", "submissions", "subscribed", "with_form", "still_subscribed", "conversion"]]
        rows += tools.map { tool in
            [tool.kind, tool.name, tool.source, tool.countsViews ? "\(tool.views)" : "", "\(tool.botViews)", tool.isForm ? "\(tool.submissions)" : "", "\(tool.subscribed)",
             tool.isForm ? "\(tool.claimed)" : "", "", tool.conversion.map { String(format: "%.4f", $0) } ?? ""]
        }
        rows += sources.map { ["source", "", $0.source, "", "", "", "\($0.subscribed)", "", "\($0.still)", ""] }
        return ReportRendering.csv(rows)
    }

    /// One self-contained page: a table and a funnel chart per tool, a chart of sources. Every name is escaped.
    public func html(generatedAt: Int64) -> String {
        var body = "<header><h1>Audience growth</h1><p class=\"meta\">From \(from) to \(to) (UTC).</p></header>"
        body += "<section id=\"tools\"><h2>Growth tools</h2>"
        if tools.isEmpty {
            body += "<p>No growth tools.</p>"
        } else {
            body += "<table><tr><th>Tool</th><th>Kind</th><th>Source</th><th>Views</th><th>Submitted</th><th>Subscribed</th><th>With form</th><th>Conversion</th></tr>"
            for tool in tools {
                let cells = [tool.countsViews ? "\(tool.views)" : "—", tool.isForm ? "\(tool.submissions)" : "—", "\(tool.subscribed)", tool.isForm ? "\(tool.claimed)" : "—", Self.rate(tool.conversion)]
                body += "<tr data-tool=\"\(ReportHTML.escape(tool.name))\"><td>\(ReportHTML.escape(tool.name))</td><td>\(tool.kind)</td><td>\(ReportHTML.escape(tool.source))</td>"
                    + cells.map { "<td class=\"value\">\($0)</td>" }.joined() + "</tr>"
            }
            body += "</table>"
            for tool in tools where tool.countsViews {
                var bars = [ReportHTML.Bar(label: "views", value: tool.views, kind: "neutral")]
                if tool.isForm { bars.append(ReportHTML.Bar(label: "submitted", value: tool.submissions, kind: "good")) }
                bars.append(ReportHTML.Bar(label: "subscribed", value: tool.subscribed, kind: "good"))
                body += "<h3>\(ReportHTML.escape(tool.name))</h3>" + ReportHTML.barChart(bars, name: "tool-" + tool.name, of: max(1, bars.map(\.value).max() ?? 1))
            }
        }
        body += "</section><section id=\"sources\"><h2>New subscribers by source</h2>"
        let bars = sources.map { ReportHTML.Bar(label: $0.source, value: $0.subscribed, kind: "neutral") }
        body += bars.isEmpty ? "<p>No new subscribers in the period.</p>" : ReportHTML.barChart(bars, name: "sources", of: max(1, bars.map(\.value).max() ?? 1), labelWidth: 220)
        body += "</section><footer>Generated by herald growth report at \(ReportRendering.time(generatedAt) ?? "") from the ledger.</footer>"
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Audience growth — Herald report</title>
            <style>\(ReportHTML.style)</style></head>
            <body>\(body)</body></html>
            """
    }
}
