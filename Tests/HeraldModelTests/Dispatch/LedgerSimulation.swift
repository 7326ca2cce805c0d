import HeraldModel

/// Runs the dispatch machine for a long stretch of simulated time on a small in-memory ledger, doing what the
/// shell would do with each action and answering every call `latency` seconds after it leaves: for tests of
/// behaviour over minutes (outages, pacing) that a manual clock makes take milliseconds.
struct LedgerSimulation {
    typealias Machine = DispatchStateMachine
    typealias Action = DispatchStateMachine.Action

    /// A small ledger: rows move as the shell would move them in SQLite.
    struct Ledger {
        var rows: [Int64: PendingDelivery] = [:]
        var state: [Int64: DeliveryResult.State] = [:]
        var next: [Int64: Int64] = [:]

        init(_ rows: [PendingDelivery]) {
            for row in rows {
                self.rows[row.id] = row
                state[row.id] = .pending
            }
        }

        func load(after: Int64, limit: Int, now: Int64) -> (rows: [PendingDelivery], exhausted: Bool, nextDueAt: Int64?) {
            let waiting = rows.keys.filter { state[$0] == .pending || state[$0] == .uncertain }
            let due = waiting.filter { (next[$0] ?? 0) <= now && $0 > after }.sorted().prefix(limit).map { rows[$0]! }
            return (Array(due), due.count < limit, waiting.compactMap { next[$0] }.filter { $0 > now }.min())
        }

        mutating func mark(_ ids: [Int64], now: Int64) {
            for id in ids {
                guard var row = rows[id] else { continue }
                row.attempts += 1
                row.firstAttemptAt = row.firstAttemptAt ?? now
                rows[id] = row
                state[id] = nil
            }
        }

        mutating func apply(_ results: [DeliveryResult]) {
            for result in results {
                state[result.deliveryID] = result.state
                next[result.deliveryID] = result.nextAttemptAt
                guard var row = rows[result.deliveryID] else { continue }
                row.partsSent = result.partsSent
                row.wasUncertain = row.wasUncertain || result.possibleDuplicate
                rows[result.deliveryID] = row
            }
        }

        func count(_ wanted: DeliveryResult.State) -> Int { state.values.filter { $0 == wanted }.count }
    }

    var ledger: Ledger
    /// Simulated seconds so far.
    private(set) var now = 0.0
    /// The actions besides ledger work and sends (journal news, media, outages), in order.
    private(set) var events: [Action] = []
    var latency = 0.02
    /// When each call is written, arrives at the platform and is answered, from the call's number and the time it
    /// left the machine; by default all at once, answered `latency` later.
    var timing: ((_ call: Int, _ leftAt: Double) -> (written: Double, arrival: Double, answer: Double))?
    /// When each call arrived at the platform, in the order they left.
    private(set) var arrivals: [Double] = []

    init(_ rows: [PendingDelivery]) { ledger = Ledger(rows) }

    /// Runs until `until` deliveries are sent or nothing more is due; `answer` gives the platform's answer for
    /// a call answered at a time, `onSend` sees each call leave.
    mutating func run(_ machine: inout Machine, until sent: Int, onSend: (Double) -> Void = { _ in }, answer: (Double) -> SendOutcome) {
        var answers: [(at: Double, id: Int64, written: Double?)] = []
        var queue = machine.pump(at: DispatchStateMachineTests.at(now))
        for _ in 0..<200_000 {
            let at = DispatchStateMachineTests.at(now)
            while !queue.isEmpty {
                let action = queue.removeFirst()
                switch action {
                case .load(let id, let after, let limit):
                    let batch = ledger.load(after: after, limit: limit, now: at.wallMs)
                    machine.deliveriesLoaded(campaignID: id, batch.rows, exhausted: batch.exhausted, nextDueAt: batch.nextDueAt, at: at)
                case .markSending(let batch, let ids):
                    ledger.mark(ids, now: at.wallMs)
                    queue += machine.marked(batch: batch, Set(ids), at: at)
                case .send(let send):
                    onSend(now)
                    if let timing {
                        let call = timing(arrivals.count, now)
                        arrivals.append(call.arrival)
                        answers.append((call.answer, send.deliveryID, call.written))
                    } else {
                        arrivals.append(now)
                        answers.append((now + latency, send.deliveryID, nil))
                    }
                case .record(let results):
                    ledger.apply(results)
                    queue += machine.recorded(at: at)
                case .retryNow(let account, _):
                    for (id, state) in ledger.state where state == .pending { ledger.next[id] = at.wallMs }
                    machine.retriesDue(account: account, at: at)
                    events.append(action)
                default:
                    events.append(action)
                }
                if queue.isEmpty { queue = machine.pump(at: at) }
            }
            if ledger.count(.sent) >= sent { return }
            guard let wake = [answers.map(\.at).min(), machine.nextDeadline].compactMap({ $0 }).min() else { return }
            now = max(now, wake)
            for call in answers where call.at <= now {
                queue += machine.outcome(deliveryID: call.id, answer(call.at), at: DispatchStateMachineTests.at(now), writtenAt: call.written, random: 0.5)
            }
            answers.removeAll { $0.at <= now }
            queue += machine.pump(at: DispatchStateMachineTests.at(now))
        }
    }

    /// The most arrivals in any window of `span` seconds (a platform's sliding count).
    func busiestWindow(span: Double = 1) -> Int {
        let sorted = arrivals.sorted()
        var start = 0, most = 0
        for (end, time) in sorted.enumerated() {
            while time - sorted[start] >= span { start += 1 }
            most = max(most, end - start + 1)
        }
        return most
    }
}
