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
        machine.campaignsRunning([try T.campaign(1, modules: #"[{"type": "text", "text": "one"}, {"type": "text", "text": "two"}]"#)])
        var simulation = LedgerSimulation(T.rows(1, Array(1...60)))
        var calls = 0
        simulation.run(&machine, until: 60, onSend: { _ in calls += 1 }) { _ in T.sent }
        #expect(calls == 120)
        #expect(simulation.ledger.count(.sent) == 60)
        // 120 calls at 30/s: about 4 s
        #expect(simulation.now < 6, "took \(simulation.now) s")
    }
}
