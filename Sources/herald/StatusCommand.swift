import ArgumentParser
import Foundation
import HeraldCore
import HeraldModel

/// `herald status`: the daemon's state as the database and the spool show it, readable while it runs.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show whether the daemon runs, its accounts, campaigns in progress, the delivery backlog and the spool.",
        discussion: """
            Reads the database and the spool folders only. What only the running daemon knows (calls in flight this \
            second, accounts paused by a broken token, outages) is in its STATUS= line: systemctl status herald.

            Example: herald status --config /etc/herald/herald.toml
            """
    )

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let (path, configuration) = try options.load(readingSecrets: false)
        var lines: [String] = []
        if let pid = StateLock.holder(stateDirectory: configuration.stateDirectory) {
            lines.append("daemon: running (PID \(pid)) on \(configuration.stateDirectory)")
        } else {
            lines.append("daemon: not running on \(configuration.stateDirectory)")
        }
        lines.append("configuration: \(path ?? "embedded defaults")")
        lines.append("accounts:")
        for (name, account) in configuration.accounts.sorted(by: { $0.key < $1.key }) {
            var facts = ["\(account.platform.rawValue)", "\(Self.number(account.rate))/s"]
            if account.token == nil { facts.append("NO TOKEN: jobs queue, nothing is sent") }
            if account.platform == .telegram { facts.append("updates: \(account.updates.rawValue)") }
            if account.platform == .messenger, account.appSecret == nil { facts.append("no app secret: webhooks are refused") }
            lines.append("  \(name): " + facts.joined(separator: ", "))
        }
        let spool = SpoolDirectory(root: configuration.spoolDirectory)
        let dayAgo = Date().addingTimeInterval(-86_400)
        let failedToday = ((try? spool.list(.failed)) ?? []).filter { name in
            name.hasSuffix(".error.json") && ((try? FileManager.default.attributesOfItem(atPath: spool.path(.failed, name))[.modificationDate] as? Date) ?? .distantPast) > dayAgo
        }.count
        lines.append("spool \(configuration.spoolDirectory): \((try? spool.list(.incoming).count) ?? 0) waiting in incoming/, \((try? spool.list(.active).count) ?? 0) in active/, \(failedToday) rejected in the last day (failed/)")
        guard FileManager.default.fileExists(atPath: configuration.databasePath) else {
            lines.append("database: none yet at \(configuration.databasePath)")
            print(lines.joined(separator: "\n"))
            return
        }
        let store = try HeraldStore(readingAt: configuration.databasePath)
        let backlog = try await store.deliveryBacklog()
        lines.append("deliveries: \(backlog.sending) being sent, \(backlog.waiting) waiting, \(backlog.retrying) waiting for a retry, \(backlog.uncertain) uncertain (resent flagged)")
        let campaigns = try await store.campaignsInProgress()
        if campaigns.isEmpty {
            lines.append("campaigns: none running or scheduled")
        } else {
            lines.append("campaigns:")
            for campaign in campaigns {
                let when = ReportRendering.time(campaign.state == "scheduled" ? campaign.sendAt : campaign.startedAt) ?? "?"
                var line = "  \(campaign.jobID) on \(campaign.account): \(campaign.state) (\(campaign.state == "scheduled" ? "due" : "since") \(when))"
                if campaign.state != "scheduled" {
                    line += ", \(campaign.sent) of \(campaign.deliveries)\(campaign.audienceExpanded ? "" : "+") sent, \(campaign.failed) failed, \(campaign.skipped) skipped"
                    if let rate = configuration.accounts[campaign.account]?.rate, let left = campaign.secondsLeft(rate: rate), campaign.state == "running" {
                        line += ", about \(Self.duration(left)) left at \(Self.number(rate))/s"
                    }
                }
                lines.append(line)
            }
        }
        print(lines.joined(separator: "\n"))
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    static func duration(_ seconds: Double) -> String {
        seconds < 90 ? "\(Int(seconds.rounded(.up))) s" : seconds < 5400 ? "\(Int((seconds / 60).rounded(.up))) min" : String(format: "%.1f h", seconds / 3600)
    }
}
