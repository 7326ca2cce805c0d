import HeraldCore
import HeraldModel

/// The demo's audience and automated-message summaries as text for a terminal (funnels come from `ReportRendering`).
struct DemoSummary {
    func growth(_ sources: [SourceCount]) -> String {
        var lines = ["Audience by growth source (subscribed now / came in):"]
        for source in sources {
            lines.append("  \(source.account.padding(toLength: 10, withPad: " ", startingAt: 0)) \(source.source.padding(toLength: 22, withPad: " ", startingAt: 0)) \(String(source.stillSubscribed).leftPadded(4)) / \(source.subscribers)")
        }
        return lines.joined(separator: "\n")
    }

    func automated(_ counts: [AutomatedCount]) -> String {
        guard !counts.isEmpty else { return "Automated messages: none sent." }
        return "Automated messages sent: " + counts.map { "\($0.name) on \($0.account) \($0.sent)" + ($0.failed > 0 ? " (\($0.failed) failed)" : "") }.joined(separator: ", ")
    }
}
