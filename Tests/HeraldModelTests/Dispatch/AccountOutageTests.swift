import HeraldModel
import Testing

/// Account outages: a run of unreachable or failing answers holds the account's deliveries back, one probe
/// at a time finds out when the platform is back, and nothing fails in the meantime.
@Suite struct AccountOutageTests {
    typealias Machine = DispatchStateMachine
    typealias Action = DispatchStateMachine.Action
    typealias T = DispatchStateMachineTests

    static func machine(rate: Double, maxInFlight: Int = 512, threshold: Int = 5) -> Machine {
        var settings = Machine.Settings(maxInFlight: maxInFlight, accounts: ["bot": .init(platform: .telegram, rate: rate)])
        settings.outageThreshold = threshold
        return Machine(settings: settings)
    }

    static let badGateway = SendOutcome.retry(reason: "HTTP 502 with an unreadable body", after: nil)

    @Test func outage_startsAfterARunOfFailures_andOneProbeAtATimeGoesOut() throws {
        var machine = Self.machine(rate: 1000, maxInFlight: 5)
        var ledger: [Int64: [PendingDelivery]] = [1: T.rows(1, Array(1...20))]
        machine.campaignsRunning([try T.campaign(1)])
        let first = T.sends(T.cycle(&machine, at: T.at(0), ledger: &ledger))
        #expect(first.count == 5)
        // Four failures are four retries; the fifth in a row is an outage, with the first probe 1–2 s out
        for send in first.prefix(4) {
            #expect(machine.outcome(deliveryID: send.deliveryID, Self.badGateway, at: T.at(0.01), random: 0).isEmpty)
        }
        #expect(machine.outcome(deliveryID: first[4].deliveryID, Self.badGateway, at: T.at(0.01), random: 0)
            == [.accountOutage(account: "bot", reason: "HTTP 502 with an unreadable body", probeIn: 1)])
        #expect(machine.accountOutages["bot"]?.probeAt == 1.01)
        #expect(T.records(T.cycle(&machine, at: T.at(0.02), ledger: &ledger)).map(\.state) == Array(repeating: .pending, count: 5))
        #expect(machine.nextDeadline == 1.01)
        // Nothing before the probe's time; then exactly one call, however many are due
        #expect(T.sends(T.cycle(&machine, at: T.at(0.5), ledger: &ledger)).isEmpty)
        let probe = T.sends(T.cycle(&machine, at: T.at(1.01), ledger: &ledger))
        #expect(probe.count == 1)
        #expect(T.sends(T.cycle(&machine, at: T.at(1.02), ledger: &ledger)).isEmpty)
        // A failed probe doubles the spacing (4 s step, ½ of it without jitter)
        #expect(machine.outcome(deliveryID: probe[0].deliveryID, Self.badGateway, at: T.at(1.1), random: 0).isEmpty)
        #expect(machine.accountOutages["bot"]?.probeAt == 3.1)
        #expect(machine.accountOutages["bot"]?.probes == 1)
        #expect(T.sends(T.cycle(&machine, at: T.at(3), ledger: &ledger)).isEmpty)
        let second = T.sends(T.cycle(&machine, at: T.at(3.1), ledger: &ledger))
        #expect(second.count == 1)
        // An answer ends it; the account sends at its rate again
        let recovered = machine.outcome(deliveryID: second[0].deliveryID, T.sent, at: T.at(3.2), random: 0)
        #expect(recovered.count == 2)
        if case .accountRecovered(let account, let seconds, let probes) = recovered.first {
            #expect(account == "bot" && abs(seconds - 3.19) < 1e-9 && probes == 1)
        } else {
            Issue.record("expected accountRecovered, got \(recovered)")
        }
        // What failed since the run's first failure is made due at once, and the campaign looks again
        #expect(recovered.last == .retryNow(account: "bot", failedSince: T.at(0.01).wallMs))
        #expect(machine.accountOutages.isEmpty)
        #expect(T.sends(T.cycle(&machine, at: T.at(3.3), ledger: &ledger)).count == 5)
    }

    @Test func scatteredFailures_betweenAnswers_areRetriesNotAnOutage() throws {
        var machine = Self.machine(rate: 1000, maxInFlight: 1)
        var ledger: [Int64: [PendingDelivery]] = [1: T.rows(1, Array(1...12))]
        machine.campaignsRunning([try T.campaign(1)])
        for step in 0..<12 {
            let now = T.at(Double(step) * 0.1)
            let sends = T.sends(T.cycle(&machine, at: now, ledger: &ledger))
            #expect(sends.count == 1)
            let answer = step % 5 == 4 ? T.sent : Self.badGateway
            #expect(machine.outcome(deliveryID: sends[0].deliveryID, answer, at: now, random: 0).isEmpty)
        }
        #expect(machine.accountOutages.isEmpty)
    }

    @Test func outage_returnsDeliveriesWaitingForASlot_andThoseBeingMarked_unsent() throws {
        var machine = Self.machine(rate: 10, threshold: 1)
        var ledger: [Int64: [PendingDelivery]] = [1: T.rows(1, [1, 2, 3])]
        machine.campaignsRunning([try T.campaign(1)])
        #expect(T.sends(T.cycle(&machine, at: T.at(0), ledger: &ledger)).map(\.deliveryID) == [1])
        // The second's slot (0.1 s) comes within the lookahead: it is picked, and its mark is still being written
        let picked = machine.pump(at: T.at(0.06))
        guard case .markSending(let batch, let ids)? = picked.first else {
            Issue.record("expected a mark, got \(picked)")
            return
        }
        #expect(ids == [2])
        _ = machine.outcome(deliveryID: 1, .uncertain(reason: "Operation timed out after 30000 milliseconds"), at: T.at(0.07), random: 0)
        #expect(T.sends(machine.marked(batch: batch, [2], at: T.at(0.08))).isEmpty)
        let results = T.records(machine.pump(at: T.at(0.09)))
        #expect(results.map { "\($0.deliveryID) \($0.state)" } == ["1 uncertain", "2 pending"])
        #expect(results.last?.reason == "account outage: Operation timed out after 30000 milliseconds")
        #expect(results.last?.nextAttemptAt == T.at(0.08).wallMs)
        #expect(machine.inFlight == 0)
    }

    @Test func probe_whoseMarkIsRefused_letsTheNextDeliveryProbe() throws {
        var machine = Self.machine(rate: 1000, maxInFlight: 1, threshold: 1)
        var ledger: [Int64: [PendingDelivery]] = [1: T.rows(1, [1, 2, 3])]
        machine.campaignsRunning([try T.campaign(1)])
        let first = T.sends(T.cycle(&machine, at: T.at(0), ledger: &ledger))
        _ = machine.outcome(deliveryID: first[0].deliveryID, Self.badGateway, at: T.at(0), random: 0)
        _ = machine.pump(at: T.at(0.5))
        // The probe's subscriber left before its mark: the mark is refused, and another delivery probes
        let picked = machine.pump(at: T.at(1))
        guard case .markSending(let batch, let ids)? = picked.last else {
            Issue.record("expected a mark, got \(picked)")
            return
        }
        #expect(machine.marked(batch: batch, [], at: T.at(1)).isEmpty)
        let next = machine.pump(at: T.at(1))
        #expect(next.contains { if case .markSending(_, let others) = $0 { others.count == 1 && others != ids } else { false } })
    }

    @Test func fiveMinuteOutage_failsNothing_costsAFewProbes_andEndsWithinTheProbeCap() throws {
        var machine = Self.machine(rate: 30)
        machine.campaignsRunning([try T.campaign(1)])
        var simulation = LedgerSimulation(T.rows(1, Array(1...600)))
        let outage = 10.0..<310.0
        var callsDuringOutage = 0
        var firstSentAfter: Double?
        simulation.run(&machine, until: 600, onSend: { now in if outage.contains(now) { callsDuringOutage += 1 } }) { at in
            let down = outage.contains(at)
            if !down && at >= outage.upperBound && firstSentAfter == nil { firstSentAfter = at }
            return down ? Self.badGateway : T.sent
        }
        let ledger = simulation.ledger
        #expect(ledger.count(.sent) == 600, "stopped at \(simulation.now) s, \(machine.inFlight) in flight, \(machine.accountOutages)")
        #expect(ledger.count(.failed) == 0)
        // At 30/s the outage would have cost 9,000 calls; it costs the run that started it and the probes
        #expect(callsDuringOutage <= 25, "\(callsDuringOutage) calls while the platform was down")
        #expect(simulation.events.filter { if case .accountOutage = $0 { true } else { false } }.count == 1)
        #expect(simulation.events.filter { if case .accountRecovered = $0 { true } else { false } }.count == 1)
        let recoveredAfter = try #require(firstSentAfter) - outage.upperBound
        #expect(recoveredAfter <= 30, "first answer \(recoveredAfter) s after the platform came back")
    }
}
