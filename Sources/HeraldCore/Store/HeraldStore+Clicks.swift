import Foundation
import GRDB
import HeraldModel

/// One fetch of a tracked link, classified, for the click log.
public struct ClickHit: Sendable, Equatable {
    public var target: ClickTarget
    public var agent: ClickAgent
    public var at: Date

    public init(target: ClickTarget, agent: ClickAgent, at: Date) {
        self.target = target
        self.agent = agent
        self.at = at
    }
}

extension HeraldStore {
    /// The URL stored for a campaign's link, or nil when the campaign has no such link.
    public func trackedURL(_ target: ClickTarget) async throws -> String? {
        try await database.read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT url FROM campaign_links WHERE campaign_id = ? AND link_index = ?"), arguments: [target.campaignID, target.linkIndex])
        }
    }

    /// Records hits as `click` events (with the delivery they came from), in one transaction.
    public func recordClicks(_ hits: [ClickHit]) async throws {
        guard !hits.isEmpty else { return }
        try await database.write { db in
            let insert = try db.cachedStatement(sql: """
                INSERT INTO events (kind, at, account, campaign_id, subscriber_id, delivery_id, detail)
                SELECT 'click', ?, c.account, c.id, ?, (SELECT id FROM deliveries WHERE campaign_id = c.id AND subscriber_id = ?), ?
                FROM campaigns c WHERE c.id = ?
                """)
            for hit in hits {
                let detail = JSONValue.object(["link": .number(String(hit.target.linkIndex)), "via": .string("redirect"), "agent": .string(hit.agent.rawValue)])
                try insert.execute(arguments: [hit.at.millisecondsSince1970, hit.target.subscriberID, hit.target.subscriberID, detail.jsonText, hit.target.campaignID])
                if db.changesCount > 0 {
                    try ReportCounters.event(db, kind: "click", at: hit.at.millisecondsSince1970, campaign: hit.target.campaignID, subscriber: hit.target.subscriberID, detail: detail)
                }
            }
        }
    }
}

extension HeraldStore {
    /// The ids of an account's subscribers, in the order of `platformIDs` (unknown ones left out).
    public func subscriberIDs(account: String, platformIDs: [String]) async throws -> [Int64] {
        try await database.read { db in
            let statement = try db.cachedStatement(sql: "SELECT id FROM subscribers WHERE account = ? AND platform_id = ?")
            return try platformIDs.compactMap { try Int64.fetchOne(statement, arguments: [account, $0]) }
        }
    }
}
