import HeraldCore
import HeraldModel

/// Funnels and counts as text for a terminal.
struct FunnelPrinter {
    func funnel(_ funnel: CampaignFunnel) -> String {
        func row(_ label: String, _ value: Int?, of whole: Int? = nil, note: String = "") -> String {
            let number = value.map(String.init) ?? "n/a"
            let share = (value != nil && whole != nil) ? String(format: " %5.1f %%", CampaignFunnel.share(value!, of: whole!) * 100) : ""
            return "  " + label.padding(toLength: 22, withPad: " ", startingAt: 0) + number.leftPadded(7) + share + (note.isEmpty ? "" : "   " + note)
        }
        var lines = ["", "\(funnel.name ?? funnel.jobID)  [\(funnel.jobID) on \(funnel.account), \(funnel.platform.rawValue), \(funnel.state)]"]
        lines.append(row("audience", funnel.audience))
        lines.append(row("sent", funnel.sent, of: funnel.audience))
        lines.append(row("delivered", funnel.delivered, of: funnel.sent, note: funnel.platform == .telegram ? "Telegram's acceptance (no receipts for bots)" : "Messenger delivery receipts"))
        lines.append(row("read", funnel.read, of: funnel.sent, note: funnel.platform == .telegram ? "Telegram tells bots nothing" : "Messenger read receipts"))
        lines.append(row("clicked (people)", funnel.clickedHumans, of: funnel.sent, note: "distinct recipients; link fetches by preview bots: \(funnel.previewBotFetches), unknown agents: \(funnel.unknownFetches)"))
        lines.append(row("unsubscribed", funnel.unsubscribed, of: funnel.sent))
        lines.append(row("failed", funnel.failedCount, of: funnel.audience))
        for reason in funnel.failed { lines.append("      \(reason.count) × \(reason.reason)") }
        lines.append(row("skipped", funnel.skippedCount, of: funnel.audience))
        for reason in funnel.skipped { lines.append("      \(reason.count) × \(reason.reason)") }
        if funnel.pending > 0 { lines.append(row("still pending", funnel.pending)) }
        return lines.joined(separator: "\n")
    }

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
