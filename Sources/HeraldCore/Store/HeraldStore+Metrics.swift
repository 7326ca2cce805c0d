import GRDB
import HeraldModel

extension HeraldStore {
    /// Jobs by state and open deliveries by state, for `/metrics`.
    public func metricsSnapshot() async throws -> MetricsSnapshot {
        try await database.read { db in
            var snapshot = MetricsSnapshot()
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) AS n FROM jobs GROUP BY state") { snapshot.jobs[row["state"]] = row["n"] }
            for row in try Row.fetchAll(db, sql: OpenDeliverySQL.byState) {
                snapshot.openDeliveries[row["state"]] = row["n"]
            }
            return snapshot
        }
    }
}
