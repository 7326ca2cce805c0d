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
