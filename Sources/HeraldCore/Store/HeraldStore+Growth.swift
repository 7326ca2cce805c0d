import Crypto
import Foundation
import GRDB
import HeraldModel

/// A growth tool as stored: its kind and its job's settings (JSON).
public struct StoredGrowthTool: Sendable, Equatable {
    public var name: String
    public var kind: String
    public var settings: String
    public var updatedAt: Int64
}

extension HeraldStore {
    public func growthTool(named name: String) async throws -> StoredGrowthTool? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT name, kind, settings, updated_at FROM growth_tools WHERE name = ?", arguments: [name]).map {
                StoredGrowthTool(name: $0["name"], kind: $0["kind"], settings: $0["settings"], updatedAt: $0["updated_at"])
            }
        }
    }

    public func growthTools() async throws -> [StoredGrowthTool] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT name, kind, settings, updated_at FROM growth_tools ORDER BY name").map {
                StoredGrowthTool(name: $0["name"], kind: $0["kind"], settings: $0["settings"], updatedAt: $0["updated_at"])
            }
        }
    }
}

/// What became of a popup form's submission.
public enum FormIntake: Sendable, Equatable {
    /// Stored, waiting for the person to arrive with this token.
    case pending(OptInToken)
    /// The honeypot was filled: answered as if accepted, with a token that claims nothing.
    case honeypot(OptInToken)
    case rejected([FormSubmission.Problem])
}

extension HeraldStore {
    /// How long a form's token waits for the person to arrive in the chat.
    public static let optInLifetime: TimeInterval = 3600

    /// Validates a form body against the tool and stores the pending opt-in (the token is kept only as its
    /// SHA-256), or counts the honeypot hit or the rejection.
    public func submitForm(tool: String, fields: [GrowthToolJob.Field], consent: GrowthToolJob.Consent?, body: [UInt8], token: OptInToken, now: Date) async throws -> FormIntake {
        let outcome = FormSubmission.validate(body, fields: fields, consent: consent)
        let ms = now.millisecondsSince1970
        return try await database.write { db in
            switch outcome {
            case .rejected(let problems):
                try Self.countGrowth(db, tool: tool, "rejected", at: ms)
                return .rejected(problems)
            case .honeypot:
                try Self.countGrowth(db, tool: tool, "honeypot", at: ms)
                return .honeypot(token)
            case .accepted(let submission):
                var stored: JSONObject = ["fields": .object(JSONObject(submission.fields.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))]
                if let first = submission.firstName { stored.insert("first_name", .string(first)) }
                if let last = submission.lastName { stored.insert("last_name", .string(last)) }
                try db.execute(sql: """
                    INSERT INTO growth_optins (tool, token_hash, submission, consent_text, consent_version, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [tool, Self.tokenHash(token), JSONValue.object(stored).jsonText, submission.consent?.text, submission.consent?.version, ms,
                                     ms + Int64(Self.optInLifetime * 1000)])
                try Self.countGrowth(db, tool: tool, "submission", at: ms)
                return .pending(token)
            }
        }
    }

    /// Counts a view of a tool (`human` false: a bot or a prefetch, counted apart).
    public func countGrowthView(tool: String, human: Bool, now: Date) async throws {
        try await database.write { db in try Self.countGrowth(db, tool: tool, human ? "view" : "bot_view", at: now.millisecondsSince1970) }
    }

    static func countGrowth(_ db: Database, tool: String, _ name: String, at ms: Int64) throws {
        try db.cachedStatement(sql: """
            INSERT INTO growth_counts (tool, day, name, n) VALUES (?, date(? / 1000, 'unixepoch'), ?, 1)
            ON CONFLICT (tool, day, name) DO UPDATE SET n = n + 1
            """).execute(arguments: [tool, ms, name])
    }

    static func tokenHash(_ token: OptInToken) -> String {
        SHA256.hash(data: Array(token.text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Deletes the submissions whose person never came before the token expired.
    public func purgeExpiredOptIns(now: Date) async throws -> Int {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM growth_optins WHERE used_at IS NULL AND expires_at <= ?", arguments: [now.millisecondsSince1970])
            return db.changesCount
        }
    }

    /// Views, submissions and new subscribers per tool, and new subscribers per source, over the UTC days
    /// `from` through `to` (`YYYY-MM-DD`).
    public func growthReport(from: String, to: String) async throws -> GrowthReport {
        try await database.read { db in
            let start = try Int64.fetchOne(db, sql: "SELECT CAST(strftime('%s', ?) AS INTEGER) * 1000", arguments: [from]) ?? 0
            let end = (try Int64.fetchOne(db, sql: "SELECT CAST(strftime('%s', ?, '+1 day') AS INTEGER) * 1000", arguments: [to]) ?? 0)
            var counts: [String: [String: Int]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT tool, name, sum(n) AS n FROM growth_counts WHERE day BETWEEN ? AND ? GROUP BY tool, name", arguments: [from, to]) {
                counts[row["tool"], default: [:]][row["name"]] = row["n"]
            }
            // New subscribers only: someone coming back through a tool is not growth.
            var bySource: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT json_extract(detail, '$.source') AS source, count(*) AS n FROM events
                WHERE kind = 'subscribed' AND at >= ? AND at < ? AND json_extract(detail, '$.returning') IS NULL GROUP BY source
                """, arguments: [start, end]) {
                bySource[row["source"] ?? "unknown"] = row["n"]
            }
            var claimed: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT json_extract(detail, '$.tool') AS tool, count(*) AS n FROM events
                WHERE kind = 'form_claimed' AND at >= ? AND at < ? AND json_extract(detail, '$.outcome') = 'claimed' GROUP BY tool
                """, arguments: [start, end]) {
                claimed[row["tool"] ?? ""] = row["n"]
            }
            var still: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT coalesce(source, 'unknown') AS source, count(*) AS n FROM subscribers WHERE status = 'subscribed' AND subscribed_at >= ? AND subscribed_at < ? GROUP BY source
                """, arguments: [start, end]) {
                still[row["source"]] = row["n"]
            }
            let tools = try Row.fetchAll(db, sql: "SELECT name, kind, settings FROM growth_tools ORDER BY name").map { row in
                let name: String = row["name"]
                var source = GrowthToolJob.defaultSource(name)
                if case .object(let settings)? = try? JSONParser().parse(Array((row["settings"] as String).utf8)), case .string(let given)? = settings["source"] { source = given }
                let figures = counts[name] ?? [:]
                return GrowthReport.Tool(
                    name: name, kind: row["kind"], source: source, views: figures["view"] ?? 0, botViews: figures["bot_view"] ?? 0,
                    submissions: figures["submission"] ?? 0, honeypots: figures["honeypot"] ?? 0, rejected: figures["rejected"] ?? 0,
                    subscribed: bySource[source] ?? 0, claimed: claimed[name] ?? 0
                )
            }
            let sources = bySource.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { GrowthReport.Source(source: $0.key, subscribed: $0.value, still: still[$0.key] ?? 0) }
            return GrowthReport(from: from, to: to, tools: tools, sources: sources)
        }
    }
}
