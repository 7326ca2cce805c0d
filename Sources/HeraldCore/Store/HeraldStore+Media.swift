import Foundation
import GRDB

extension HeraldStore {
    /// Every media id learned so far: account → file URL → the platform's id for it.
    public func mediaIDs() async throws -> [String: [String: String]] {
        try await database.read { db in
            var known: [String: [String: String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT account, url, media_id FROM media") {
                known[row["account"], default: [:]][row["url"]] = row["media_id"]
            }
            return known
        }
    }

    /// Stores the id the platform gave a file first sent by URL.
    public func rememberMedia(account: String, url: String, mediaID: String, now: Date) async throws {
        try await database.write { db in
            try db.execute(
                sql: "INSERT INTO media (account, url, media_id, learned_at) VALUES (?, ?, ?, ?) ON CONFLICT(account, url) DO UPDATE SET media_id = excluded.media_id, learned_at = excluded.learned_at",
                arguments: [account, url, mediaID, now.millisecondsSince1970]
            )
        }
    }

    /// Forgets a media id the platform refused.
    public func forgetMedia(account: String, url: String) async throws {
        try await database.write { db in try db.execute(sql: "DELETE FROM media WHERE account = ? AND url = ?", arguments: [account, url]) }
    }
}
