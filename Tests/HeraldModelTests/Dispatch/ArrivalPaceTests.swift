import HeraldModel
import Testing

/// An account's calls against a platform counting arrivals in a sliding second, when calls do not arrive when
/// they leave: a stalled writer, a slow platform. On a manual clock over a simulated ledger.
@Suite struct ArrivalPaceTests {
    typealias Machine = DispatchStateMachine
    typealias T = DispatchStateMachineTests

    static func run(rate: Double, calls: Int, timing: @escaping (Int, Double) -> (written: Double, arrival: Double, answer: Double)) throws -> LedgerSimulation {
        var machine = T.machine(rate: rate)
        machine.campaignsRunning([try T.campaign(1)])
        var simulation = LedgerSimulation(T.rows(1, Array(1...Int64(calls))))
        simulation.timing = timing
        simulation.run(&machine, until: calls) { _ in T.sent }
        #expect(simulation.ledger.count(.sent) == calls)
        return simulation
    }

    /// The writer stalls for 60 ms every 0.7 s and then writes its backlog at once: paced as they left, the calls
    /// arrived 105 to a second (checked by taking the window out); the window holds them to the limit.
    @Test func aStalledWriter_neverPutsMoreThanTheLimitInASecond() throws {
        let simulation = try Self.run(rate: 100, calls: 1_000) { _, left in
            let cycle = (left / 0.7).rounded(.down) * 0.7
            let written = left - cycle < 0.06 ? cycle + 0.06 : left
            return (written, written + 0.0002, written + 0.0012)
        }
        #expect(simulation.busiestWindow() <= 100)
        // Still at the limiter's pace: 1,000 calls at 98.3/s take 10.2 s
        #expect(simulation.now < 10.5, "took \(simulation.now) s")
    }

    /// Answers a quarter of a second late do not slow a steady stream: each call counts from when it was written.
    @Test func slowAnswers_withTheirWriteTimes_keepTheFullPace() throws {
        let simulation = try Self.run(rate: 100, calls: 1_000) { _, left in (left, left + 0.0002, left + 0.25) }
        #expect(simulation.busiestWindow() <= 100)
        #expect(simulation.now < 10.5, "took \(simulation.now) s")
    }

    /// Without write times (a transport that cannot tell), a call counts until its answer: slower, never over.
    @Test func slowAnswers_withoutWriteTimes_stayUnderTheLimit() throws {
        var machine = T.machine(rate: 100)
        machine.campaignsRunning([try T.campaign(1)])
        var simulation = LedgerSimulation(T.rows(1, Array(1...500)))
        simulation.latency = 0.25
        simulation.run(&machine, until: 500) { _ in T.sent }
        #expect(simulation.ledger.count(.sent) == 500)
        #expect(simulation.busiestWindow() <= 100)
        // Each call holds its place for 1.25 s: about 80 a second
        #expect(simulation.now > 5.5 && simulation.now < 7, "took \(simulation.now) s")
    }
}
