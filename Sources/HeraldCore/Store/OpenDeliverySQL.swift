/// Statements over open deliveries (pending, uncertain, being sent), each half through the partial index of its
/// states: a single `state IN` over all three matches neither index, and SQLite reads the whole ledger, history and
/// all, for it.
enum OpenDeliverySQL {
    /// `columns` of every open delivery.
    static func open(_ columns: String) -> String {
        "SELECT \(columns) FROM deliveries WHERE state IN ('pending', 'uncertain') UNION ALL SELECT \(columns) FROM deliveries WHERE state = 'sending'"
    }

    /// Whether the campaigns of `jobs` job ids have an open delivery (the ids are bound twice).
    static func anyOpen(jobs: Int) -> String {
        let campaigns = "SELECT id FROM campaigns WHERE job_id IN (\(Array(repeating: "?", count: jobs).joined(separator: ",")))"
        return """
            SELECT EXISTS(SELECT 1 FROM deliveries WHERE campaign_id IN (\(campaigns)) AND state IN ('pending', 'uncertain'))
                OR EXISTS(SELECT 1 FROM deliveries WHERE state = 'sending' AND campaign_id IN (\(campaigns)))
            """
    }

    /// Open deliveries by state.
    static let byState = "SELECT state, count(*) AS n FROM (\(open("state"))) GROUP BY state"

    /// Open deliveries by what they wait for.
    static let backlog = """
        SELECT coalesce(sum(state = 'sending'), 0) AS sending, coalesce(sum(state = 'pending' AND attempts > 0), 0) AS retrying,
               coalesce(sum(state = 'uncertain'), 0) AS uncertain, coalesce(sum(state = 'pending' AND attempts = 0), 0) AS waiting
        FROM (\(open("state, attempts")))
        """

    /// Open deliveries by account and minutes since their campaign started (the time is bound).
    static let queueShape = """
        SELECT c.account, max(0, (? - coalesce(c.started_at, c.send_at)) / 60000) AS minutes, count(*) AS n
        FROM (\(open("campaign_id"))) d JOIN campaigns c ON c.id = d.campaign_id
        GROUP BY c.account, minutes
        """
}
