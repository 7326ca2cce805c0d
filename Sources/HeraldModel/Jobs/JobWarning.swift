import Foundation

/// Something valid in a job that is probably not what its author meant: reported by `herald validate` and
/// logged as a warning at acceptance, never a rejection.
public struct JobWarning: Sendable, Equatable, CustomStringConvertible {
    /// A stable code for the journal (`HERALD_EVENT`) and scripts.
    public var code: String
    public var message: String
    public var description: String { message }

    /// How late a `send_at` may be before it is worth a warning (clock skew, a file that took a while to arrive).
    public static let pastSendAtSlack: TimeInterval = 60

    /// The warnings for `job`, as of `now`.
    public static func check(_ job: Job, now: Date) -> [JobWarning] {
        guard case .campaign(let campaign) = job.body, let sendAt = campaign.sendAt?.date else { return [] }
        let late = now.timeIntervalSince(sendAt)
        guard late > pastSendAtSlack else { return [] }
        let advice = campaign.expiresAt == nil ? "; give it an expires_at if it must not go out late" : ""
        return [JobWarning(
            code: "send_at_past",
            message: "send_at \(ISO8601DateFormatter().string(from: sendAt)) is already past (by \(duration(late))): the campaign goes out as soon as it is accepted\(advice)"
        )]
    }

    /// `3 h 5 min`, `12 min`, `2 d 4 h`.
    static func duration(_ seconds: TimeInterval) -> String {
        let minutes = Int(seconds / 60)
        if minutes < 60 { return "\(max(minutes, 1)) min" }
        let hours = minutes / 60
        if hours < 48 { return minutes % 60 == 0 ? "\(hours) h" : "\(hours) h \(minutes % 60) min" }
        return hours % 24 == 0 ? "\(hours / 24) d" : "\(hours / 24) d \(hours % 24) h"
    }
}
