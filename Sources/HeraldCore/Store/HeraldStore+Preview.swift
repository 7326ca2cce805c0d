import Foundation
import GRDB
import HeraldModel

/// What `herald preview` reads: a subscriber's profile, and how much of an audience lacks what a message uses.
extension HeraldStore {
    /// One subscriber's profile as personalisation sees it, or nil when the account has no such subscriber.
    public func profile(account: String, platformID: String) async throws -> Profile? {
        try await database.read { db in
            try Row.fetchOne(
                db, sql: "SELECT platform_id, first_name, last_name, username, locale, fields FROM subscribers WHERE account = ? AND platform_id = ?",
                arguments: [account, platformID]
            ).map(Self.profile(from:))
        }
    }

    /// How many of an audience's subscribers would get the message today, and how many of them have nothing for
    /// each of `variables` (`first_name`, `fields.city`). Inline recipients count with what the job gives them.
    public func profileGaps(account: String, audience: Audience, variables: [String]) async throws -> AudienceGaps {
        try await database.read { db in
            var filter = "s.account = ? AND s.status = 'subscribed'"
            var arguments: StatementArguments = [account]
            switch audience {
            case .all:
                break
            case .tags(let include, let exclude):
                let tags = Self.tagFilter(include: include, exclude: exclude)
                filter += tags.sql
                arguments += tags.arguments
            case .subscribers(let ids):
                filter += " AND s.platform_id IN (SELECT value FROM json_each(?))"
                arguments += [JSONValue.array(ids.map(JSONValue.string)).jsonText]
            case .recipients(let recipients):
                // Inline recipients are sent to whatever their status; what they lack is what neither the job nor the store gives.
                var gaps = AudienceGaps(total: recipients.count)
                var stored: [String: Profile] = [:]
                for row in try Row.fetchAll(
                    db, sql: "SELECT platform_id, first_name, last_name, username, locale, fields FROM subscribers WHERE account = ? AND platform_id IN (SELECT value FROM json_each(?))",
                    arguments: [account, JSONValue.array(recipients.map { .string($0.platformID) }).jsonText]
                ) {
                    stored[row["platform_id"]] = Self.profile(from: row)
                }
                for recipient in recipients {
                    let known = stored[recipient.platformID]
                    let profile = Profile(
                        platformID: recipient.platformID, firstName: recipient.firstName ?? known?.firstName, lastName: recipient.lastName ?? known?.lastName,
                        username: recipient.username ?? known?.username, locale: recipient.locale ?? known?.locale,
                        fields: (known?.fields ?? [:]).merging(recipient.fields) { $1 }
                    )
                    for variable in variables where MessagePreview.isMissing(variable, in: profile) { gaps.missing[variable, default: 0] += 1 }
                }
                return gaps
            }
            var gaps = AudienceGaps(total: try Int.fetchOne(db, sql: "SELECT count(*) FROM subscribers s WHERE \(filter)", arguments: arguments) ?? 0)
            for variable in variables {
                guard let column = Self.emptyTest(variable) else { continue }
                var withColumn = arguments
                if variable.hasPrefix("fields.") { withColumn = ["$.\"\(variable.dropFirst("fields.".count))\""] + arguments }
                let missing = try Int.fetchOne(db, sql: "SELECT sum(\(column)) FROM subscribers s WHERE \(filter)", arguments: withColumn) ?? 0
                if missing > 0 { gaps.missing[variable] = missing }
            }
            return gaps
        }
    }

    /// A profile from a `subscribers` row's platform_id, names, username, locale and fields.
    static func profile(from row: Row) -> Profile {
        var fields: [String: String] = [:]
        if let text: String = row["fields"], case .object(let object)? = try? JSONParser().parse(Array(text.utf8)) {
            for key in object.keys { if case .string(let value) = object[key] { fields[key] = value } }
        }
        return Profile(platformID: row["platform_id"], firstName: row["first_name"], lastName: row["last_name"], username: row["username"], locale: row["locale"], fields: fields)
    }

    /// SQL that is 1 where a subscriber has nothing for `variable`; a `fields.` variable takes its JSON path as the first argument.
    private static func emptyTest(_ variable: String) -> String? {
        func empty(_ column: String) -> String { "(coalesce(trim(\(column)), '') = '')" }
        switch variable {
        case "first_name", "last_name", "username", "locale": return empty("s." + variable)
        case "full_name": return "(\(empty("s.first_name")) AND \(empty("s.last_name")))"
        default:
            let name = variable.dropFirst("fields.".count)
            guard variable.hasPrefix("fields."), !name.isEmpty, name.utf8.allSatisfy({ JobID.isAlphanumeric($0) || $0 == UInt8(ascii: "_") }) else { return nil }
            return empty("json_extract(s.fields, ?)")
        }
    }
}

/// An audience's size and, per personalisation variable, how many of it have no value for it.
public struct AudienceGaps: Sendable, Equatable {
    public var total: Int
    public var missing: [String: Int] = [:]

    public init(total: Int, missing: [String: Int] = [:]) {
        self.total = total
        self.missing = missing
    }
}
