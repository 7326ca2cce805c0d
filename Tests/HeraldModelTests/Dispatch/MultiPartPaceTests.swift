import HeraldModel
import Testing

/// Messages of several parts against per-chat limits, on a manual clock over a simulated ledger.
@Suite struct MultiPartPaceTests {
    typealias Machine = DispatchStateMachine
    typealias T = DispatchStateMachineTests

    /// Each chat's second part waits a second for its chat; taking its slot that far ahead booked the bot's
    /// schedule behind it, and 120 calls took 22.8 s instead of about 4.
    @Test func twoModules_toSixtyChats_takeAboutTheBotLimit() throws {
        var machine = Machine(settings: .init(maxInFlight: 512, accounts: ["bot": .init(platform: .telegram, rate: 30)]))
        var ledger = AccountOutageTests.Ledger(T.rows(1, Array(1...60)))
        machine.campaignsRunning([try T.campaign(1, modules: #"[{"type": "text", "text": "one"}, {"type": "text", "text": "two"}]"#)])
        var now = 0.0
        var answers: [(at: Double, id: Int64)] = []
        var calls = 0
        var queue = machine.pump(at: T.at(now))
        for _ in 0..<200_000 {
            while !queue.isEmpty {
                let action = queue.removeFirst()
                switch action {
                case .load(let id, let after, let limit):
                    let batch = ledger.load(after: after, limit: limit, now: T.at(now).wallMs)
                    machine.deliveriesLoaded(campaignID: id, batch.rows, exhausted: batch.exhausted, nextDueAt: batch.nextDueAt, at: T.at(now))
                case .markSending(let batch, let ids):
                    ledger.mark(ids, now: T.at(now).wallMs)
                    queue += machine.marked(batch: batch, Set(ids), at: T.at(now))
                case .send(let send):
                    calls += 1
                    answers.append((now + 0.02, send.deliveryID))
                case .record(let results):
                    ledger.apply(results)
                    queue += machine.recorded(at: T.at(now))
                default: break
                }
                if queue.isEmpty { queue = machine.pump(at: T.at(now)) }
            }
            if ledger.count(.sent) == 60 { break }
            guard let wake = [answers.map(\.at).min(), machine.nextDeadline].compactMap({ $0 }).min() else { break }
            now = max(now, wake)
            for answer in answers where answer.at <= now {
                queue += machine.outcome(deliveryID: answer.id, T.sent, at: T.at(now), random: 0.5)
            }
            answers.removeAll { $0.at <= now }
            queue += machine.pump(at: T.at(now))
        }
        #expect(calls == 120)
        #expect(ledger.count(.sent) == 60)
        // 120 calls at 30/s: about 4 s, not the 30 s a stall per chat would cost
        #expect(now < 6, "took \(now) s")
    }
}
