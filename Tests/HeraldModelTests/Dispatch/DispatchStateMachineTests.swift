import HeraldModel
import Testing

/// The dispatch machine, action by action, on a manual clock.
@Suite struct DispatchStateMachineTests {
    typealias Machine = DispatchStateMachine
    typealias Action = DispatchStateMachine.Action

    static func at(_ seconds: Double) -> Machine.Instant { Machine.Instant(seconds: seconds, wallMs: 1_800_000_000_000 + Int64(seconds * 1000)) }

    static func machine(rate: Double = 30, maxInFlight: Int = 512, platform: Platform = .telegram) -> Machine {
        Machine(settings: .init(maxInFlight: maxInFlight, accounts: ["bot": .init(platform: platform, rate: rate)]))
    }

    static func campaign(_ id: Int64, priority: Int = 1, modules: String = #"[{"type": "text", "text": "Hi {{first_name}}"}]"#, platform: Platform = .telegram, options: SendOptions = SendOptions()) throws -> DispatchCampaign {
        DispatchCampaign(id: id, jobID: "job-\(id)", account: "bot", priority: priority, platform: platform, content: try content(modules, platform: platform), options: options)
    }

    static func rows(_ campaign: Int64, _ chats: [Int64], from firstID: Int64 = 1) -> [PendingDelivery] {
        chats.enumerated().map { index, chat in
            PendingDelivery(id: firstID + Int64(index), campaignID: campaign, subscriberID: chat, profile: Profile(platformID: "\(chat)", firstName: "N\(chat)"))
        }
    }

    /// Pumps until the machine is quiet, answering loads from `ledger`, committing every mark and every record;
    /// returns the actions the shell would run besides loads.
    static func cycle(_ machine: inout Machine, at now: Machine.Instant, ledger: inout [Int64: [PendingDelivery]]) -> [Action] {
        var out: [Action] = []
        for _ in 0..<10 {
            let actions = machine.pump(at: now)
            if actions.isEmpty { break }
            for action in actions {
                switch action {
                case .load(let id, let after, let limit):
                    let due = Array((ledger[id] ?? []).filter { $0.id > after }.prefix(limit))
                    ledger[id] = (ledger[id] ?? []).filter { row in !due.contains { $0.id == row.id } }
                    machine.deliveriesLoaded(campaignID: id, due, exhausted: due.count < limit, nextDueAt: nil, at: now)
                case .markSending(let batch, let ids):
                    out.append(action)
                    out += machine.marked(batch: batch, Set(ids), at: now)
                case .record:
                    out.append(action)
                    out += machine.recorded(at: now)
                default:
                    out.append(action)
                }
            }
        }
        return out
    }

    static func sends(_ actions: [Action]) -> [Machine.Send] {
        actions.compactMap { if case .send(let send) = $0 { send } else { nil } }
    }

    static func records(_ actions: [Action]) -> [DeliveryResult] {
        actions.flatMap { action -> [DeliveryResult] in if case .record(let results) = action { results } else { [] } }
    }

    static func chat(_ send: Machine.Send) -> String {
        guard case .object(let body) = send.message.body, case .number(let chat)? = body["chat_id"] else { return "?" }
        return chat
    }

    static let sent = SendOutcome.sent(messageID: "m", reusableMediaID: nil)

    @Test func delivery_isLoadedMarkedSentAndRecorded() throws {
        var machine = Self.machine()
        var ledger: [Int64: [PendingDelivery]] = [7: Self.rows(7, [101])]
        machine.campaignsRunning([try Self.campaign(7)])
        // The first pump loads the window, picks the row and asks for the mark; the mark's commit sends it
        let actions = Self.cycle(&machine, at: Self.at(0), ledger: &ledger)
        #expect(actions.first == .markSending(batch: 1, ids: [1]))
        let sends = Self.sends(actions)
        #expect(sends.count == 1)
        #expect(sends.first?.message.body.jsonText == #"{"chat_id":101,"text":"Hi N101","parse_mode":"HTML"}"#)
        #expect(machine.inFlight == 1)
        // The answer turns into a result, written by the next pump's record action
        #expect(machine.outcome(deliveryID: 1, Self.sent, at: Self.at(0.01), random: 0).isEmpty)
        let record = Self.records(machine.pump(at: Self.at(0.01)))
        // Sent when its call went out (Meta's read watermarks are compared with it), not when it was recorded
        #expect(record == [DeliveryResult(deliveryID: 1, campaignID: 7, subscriberID: 101, account: "bot", state: .sent, messageID: "m", partsSent: 1, sentAt: Self.at(0).wallMs)])
        #expect(machine.recorded(at: Self.at(0.02)).isEmpty)
        #expect(!machine.hasWork)
    }

    @Test func transactional_goesFirst_andCampaignsOfALevelTakeTurns() throws {
        var machine = Self.machine(rate: 1000, maxInFlight: 5)
        var ledger: [Int64: [PendingDelivery]] = [
            1: Self.rows(1, [11, 12, 13, 14], from: 100),
            2: Self.rows(2, [21, 22, 23, 24], from: 200),
            3: Self.rows(3, [31], from: 300),
        ]
        machine.campaignsRunning([try Self.campaign(1), try Self.campaign(2), try Self.campaign(3, priority: 0)])
        let chats = Self.sends(Self.cycle(&machine, at: Self.at(0), ledger: &ledger)).map(Self.chat)
        // The message (priority 0) first, then the two campaigns alternately, five in flight at most
        #expect(chats.count == 5)
        #expect(Set(chats.prefix(1)) == ["31"])
        #expect(Set(chats.dropFirst()) == ["11", "21", "12", "22"])
    }

    /// Deliveries marked ahead wait for a call to finish: never more calls out than allowed, and a finished call is
    /// replaced in the same pass, without waiting for another mark.
    @Test func markedAhead_waitForAFreeCall_andReplaceAFinishedOneAtOnce() throws {
        var settings = Machine.Settings(maxInFlight: 2, accounts: ["bot": .init(platform: .telegram, rate: 1000)])
        settings.markAhead = 2
        var machine = Machine(settings: settings)
        var ledger: [Int64: [PendingDelivery]] = [1: Self.rows(1, [11, 12, 13, 14, 15, 16])]
        machine.campaignsRunning([try Self.campaign(1)])
        // Four are marked (two calls and two ahead), two calls go out
        let first = Self.cycle(&machine, at: Self.at(0), ledger: &ledger)
        let marked = first.flatMap { action -> [Int64] in if case .markSending(_, let ids) = action { ids } else { [] } }
        #expect(marked == [1, 2, 3, 4])
        #expect(Self.sends(first).map(Self.chat) == ["11", "12"])
        #expect(machine.inFlight == 4)
        // While both calls are out, the two marked ahead set no deadline (an answer wakes the loop)
        #expect(machine.nextDeadline == nil)
        // An answer: the next marked delivery goes in the same pass, before any new mark has committed
        _ = machine.outcome(deliveryID: 1, Self.sent, at: Self.at(0.01), random: 0)
        let next = machine.pump(at: Self.at(0.01))
        #expect(Self.sends(next).map(Self.chat) == ["13"])
        #expect(next.contains { if case .markSending(_, let ids) = $0 { ids == [5] } else { false } })
        #expect(machine.inFlight == 4)
    }

    @Test func skips_leftSubscribers_goneOnes_andClosedMessengerWindows() throws {
        var machine = Machine(settings: .init(accounts: ["bot": .init(platform: .messenger, rate: 100)]))
        var rows = Self.rows(5, [1, 2, 3, 4])
        rows[0].status = "unsubscribed"
        rows[1].lastInboundAt = Self.at(0).wallMs - 25 * 3_600_000
        rows[2].lastInboundAt = Self.at(0).wallMs - 3_600_000
        rows[3].lastInboundAt = Self.at(0).wallMs - 60_000
        rows[3].status = "blocked"
        var ledger: [Int64: [PendingDelivery]] = [5: rows]
        machine.campaignsRunning([try Self.campaign(5, modules: #"[{"type": "text", "text": "x"}]"#, platform: .messenger)])
        let actions = Self.cycle(&machine, at: Self.at(0), ledger: &ledger)
        #expect(Self.sends(actions).count == 1)
        let skipped = Self.records(actions).map { "\($0.subscriberID): \($0.reason ?? "")" }
        #expect(skipped.sorted() == ["1: unsubscribed", "2: outside_window", "4: blocked"])
    }

    @Test func expired_deliveriesAreSkipped_fromTheExpiryOn() throws {
        var machine = Self.machine(rate: 1)
        var ledger: [Int64: [PendingDelivery]] = [1: Self.rows(1, [1, 2])]
        var campaign = try Self.campaign(1)
        campaign.expiresAt = Self.at(0.5).wallMs
        machine.campaignsRunning([campaign])
        #expect(Self.sends(Self.cycle(&machine, at: Self.at(0), ledger: &ledger)).count == 1)
        _ = machine.outcome(deliveryID: 1, Self.sent, at: Self.at(0.1), random: 0)
        let later = Self.cycle(&machine, at: Self.at(1.1), ledger: &ledger)
        #expect(Self.sends(later).isEmpty)
        #expect(Self.records(later).contains { $0.deliveryID == 2 && $0.state == .skipped && $0.reason == "expired" })
    }

    @Test func requeued_campaign_readsItsLedgerAgainFromTheStart_onceItsWindowIsPickedEmpty() throws {
        var machine = Self.machine(rate: 1000)
        var ledger: [Int64: [PendingDelivery]] = [1: Self.rows(1, [11, 12, 13])]
        let campaign = try Self.campaign(1)
        machine.campaignsRunning([campaign])
        #expect(Self.sends(Self.cycle(&machine, at: Self.at(0), ledger: &ledger)).count == 3)
        for id in Int64(1)...3 { _ = machine.outcome(deliveryID: id, id == 2 ? .permanent(reason: "bad") : Self.sent, at: Self.at(0.1), random: 0) }
        _ = Self.cycle(&machine, at: Self.at(0.2), ledger: &ledger)
        // Its cursor has passed row 2; nothing more is due, and the machine waits for nothing
        #expect(machine.nextDeadline == nil)
        // A retry puts row 2 back behind the cursor: the same housekeeping without a new mark changes nothing
        ledger[1] = [Self.rows(1, [12], from: 2)[0]]
        machine.campaignsRunning([campaign])
        #expect(Self.sends(Self.cycle(&machine, at: Self.at(1), ledger: &ledger)).isEmpty)
        // With the retry's mark, the machine wants to look at once, from the ledger's start
        var requeued = campaign
        requeued.requeuedAt = Self.at(1).wallMs
        machine.campaignsRunning([requeued])
        #expect((machine.nextDeadline ?? 99) <= 1)
        let actions = machine.pump(at: Self.at(1))
        #expect(actions.first == .load(campaignID: 1, after: 0, limit: machine.settings.windowSize))
        machine.deliveriesLoaded(campaignID: 1, ledger.removeValue(forKey: 1)!, exhausted: true, nextDueAt: nil, at: Self.at(1))
        // (Telegram's one message a second to a chat holds it until a second after its first try.)
        let rest = Self.cycle(&machine, at: Self.at(2), ledger: &ledger)
        #expect(Self.sends(rest).map(Self.chat) == ["12"])
        // The same mark seen again on the next pass does not read the ledger again
        machine.campaignsRunning([requeued])
        #expect(machine.nextDeadline.map { $0 > 1 } ?? true)
    }

    @Test func requeued_whileALoadIsOut_readsFromTheStartAfterThatLoad() throws {
        var machine = Self.machine(rate: 1000)
        let campaign = try Self.campaign(1)
        machine.campaignsRunning([campaign])
        let first = machine.pump(at: Self.at(0))
        #expect(first == [.load(campaignID: 1, after: 0, limit: machine.settings.windowSize)])
        // The retry lands while the load is out; the load then comes back past the requeued row
        var requeued = campaign
        requeued.requeuedAt = Self.at(0).wallMs
        machine.campaignsRunning([requeued])
        machine.deliveriesLoaded(campaignID: 1, Self.rows(1, [15], from: 5), exhausted: false, nextDueAt: nil, at: Self.at(0))
        var ledger: [Int64: [PendingDelivery]] = [1: Self.rows(1, [12], from: 2)]
        let actions = Self.cycle(&machine, at: Self.at(0), ledger: &ledger)
        // Row 5 from the window goes, then the ledger is read from its start and row 2 goes too
        #expect(Self.sends(actions).map(Self.chat) == ["15", "12"])
    }

    @Test func subscriberChanged_afterTheLoad_reachesTheLoadedWindow() throws {
        var machine = Self.machine(rate: 1000, maxInFlight: 1)
        var ledger: [Int64: [PendingDelivery]] = [1: Self.rows(1, [1, 2, 3])]
        machine.campaignsRunning([try Self.campaign(1)])
        #expect(Self.sends(Self.cycle(&machine, at: Self.at(0), ledger: &ledger)).map(\.deliveryID) == [1])
        // An unsubscribe job lands while rows 2 and 3 sit in the window
        machine.subscriberChanged(2, status: "unsubscribed")
        _ = machine.outcome(deliveryID: 1, Self.sent, at: Self.at(0.1), random: 0)
        let actions = Self.cycle(&machine, at: Self.at(0.1), ledger: &ledger)
        #expect(Self.sends(actions).map(\.deliveryID) == [3])
        #expect(Self.records(actions).contains { $0.deliveryID == 2 && $0.state == .skipped && $0.reason == "unsubscribed" })
    }

    @Test func rate_slotsAreSpacedByTheLimiter_andSendsWaitForTheirSlot() throws {
        var machine = Self.machine(rate: 30)
        var ledger: [Int64: [PendingDelivery]] = [1: Self.rows(1, Array(1...10))]
        machine.campaignsRunning([try Self.campaign(1)])
        var sendTimes: [Double] = []
        var now = 0.0
        // Driven only by the machine's own deadlines, as the shell does
        for _ in 0..<200 where sendTimes.count < 10 {
            let actions = Self.cycle(&machine, at: Self.at(now), ledger: &ledger)
            for send in Self.sends(actions) {
                sendTimes.append(now)
                _ = machine.outcome(deliveryID: send.deliveryID, Self.sent, at: Self.at(now), random: 0)
            }
            guard let deadline = machine.nextDeadline else { break }
            now = max(now, deadline)
        }
        #expect(sendTimes.count == 10)
        let gaps = zip(sendTimes.dropFirst(), sendTimes).map { $0 - $1 }
        let interval = 1 / (30 * RateLimiter.headroom)
        #expect(gaps.allSatisfy { abs($0 - interval) < 1e-9 }, "\(gaps)")
    }

    @Test func retry_isPendingWithThePolicysTime_andFailsAfterTheHorizon() throws {
        var machine = Self.machine()
        var rows = Self.rows(1, [1, 2])
        rows[1].firstAttemptAt = Self.at(0).wallMs - 90_000_000
        var ledger: [Int64: [PendingDelivery]] = [1: rows]
        machine.campaignsRunning([try Self.campaign(1)])
        // Both picked (the second's slot is within the lookahead), the first sent at once
        #expect(Self.sends(Self.cycle(&machine, at: Self.at(0), ledger: &ledger)).map(\.deliveryID) == [1])
        _ = machine.outcome(deliveryID: 1, .retry(reason: "Bad Gateway", after: nil), at: Self.at(1), random: 0)
        let later = Self.cycle(&machine, at: Self.at(2), ledger: &ledger)
        #expect(Self.sends(later).map(\.deliveryID) == [2])
        _ = machine.outcome(deliveryID: 2, .retry(reason: "Bad Gateway", after: nil), at: Self.at(2), random: 0)
        let results = Self.records(later) + Self.records(machine.pump(at: Self.at(2)))
        // 5 s × ½ (no jitter drawn) after the answer; 25 h after its first attempt, the other gives up
        #expect(results.first { $0.deliveryID == 1 }?.nextAttemptAt == Self.at(1).wallMs + 2_500)
        #expect(results.first { $0.deliveryID == 1 }?.state == .pending)
        #expect(results.first { $0.deliveryID == 2 }?.state == .failed)
        #expect(results.first { $0.deliveryID == 2 }?.reason == "gave up after 1 attempts in 24 h: Bad Gateway")
        // And the campaign looks at its ledger again when the retry is due
        #expect(machine.nextDeadline == 3.5)
    }

    @Test func recipientGone_inOneCampaign_skipsThatSubscriberInTheOthers() throws {
        var machine = Self.machine(rate: 1000)
        var ledger: [Int64: [PendingDelivery]] = [1: Self.rows(1, [9], from: 10), 2: Self.rows(2, [9], from: 20)]
        machine.campaignsRunning([try Self.campaign(1)])
        _ = Self.cycle(&machine, at: Self.at(0), ledger: &ledger)
        _ = machine.outcome(deliveryID: 10, .recipientGone(status: .blocked, reason: "Forbidden: bot was blocked by the user"), at: Self.at(0.1), random: 0)
        // A second campaign to the same subscriber, loaded before the status reached the ledger
        machine.campaignsRunning([try Self.campaign(1), try Self.campaign(2)])
        let actions = Self.cycle(&machine, at: Self.at(2), ledger: &ledger)
        #expect(Self.sends(actions).isEmpty)
        let results = Self.records(actions)
        #expect(results.map(\.state) == [.failed, .skipped])
        #expect(results.first?.subscriberStatus == "blocked")
        #expect(results.last?.reason == "blocked")
    }

    @Test func accountBroken_pausesItsCampaignsOnce_untilReconfigured() throws {
        var machine = Self.machine(rate: 1000, maxInFlight: 1)
        var ledger: [Int64: [PendingDelivery]] = [1: Self.rows(1, [1, 2, 3])]
        machine.campaignsRunning([try Self.campaign(1)])
        _ = Self.cycle(&machine, at: Self.at(0), ledger: &ledger)
        let actions = machine.outcome(deliveryID: 1, .accountBroken(reason: "Unauthorized"), at: Self.at(0.1), random: 0)
        #expect(actions == [.accountPaused(account: "bot", reason: "Unauthorized")])
        #expect(machine.pausedAccounts == ["bot": "Unauthorized"])
        // Nothing else goes out for the account; the delivery waits a minute
        let after = Self.cycle(&machine, at: Self.at(1), ledger: &ledger)
        #expect(Self.sends(after).isEmpty)
        #expect(Self.records(after).first?.nextAttemptAt == Self.at(0.1).wallMs + 60_000)
        // A reload (a new token) resumes it
        machine.reconfigure(machine.settings)
        #expect(Self.sends(Self.cycle(&machine, at: Self.at(2), ledger: &ledger)).count == 1)
    }

    @Test func accountBroken_returnsDeliveriesHoldingASlotToPending_unsent() throws {
        var machine = Self.machine(rate: 30)
        var ledger: [Int64: [PendingDelivery]] = [1: Self.rows(1, [1, 2])]
        machine.campaignsRunning([try Self.campaign(1)])
        // The second holds a slot 34 ms ahead, already marked, when the first answers 401
        #expect(Self.sends(Self.cycle(&machine, at: Self.at(0), ledger: &ledger)).map(\.deliveryID) == [1])
        _ = machine.outcome(deliveryID: 1, .accountBroken(reason: "Unauthorized"), at: Self.at(0.002), random: 0)
        let actions = Self.cycle(&machine, at: Self.at(0.05), ledger: &ledger)
        #expect(Self.sends(actions).isEmpty)
        #expect(Self.records(actions).map { "\($0.deliveryID) \($0.state)" }.sorted() == ["1 pending", "2 pending"])
        #expect(machine.inFlight == 0)
    }

    @Test func rateLimited_whileAMarkIsWritten_sendsNoneOfItsRowsBeforeThePauseEnds() throws {
        var machine = Self.machine(rate: 100)
        var ledger: [Int64: [PendingDelivery]] = [1: Self.rows(1, Array(1...20))]
        machine.campaignsRunning([try Self.campaign(1)])
        // The first batch is marked and sent; the next batch's mark is still being written
        let first = Self.cycle(&machine, at: Self.at(0), ledger: &ledger)
        let sent = Self.sends(first).map(\.deliveryID)
        #expect(!sent.isEmpty)
        let next = machine.pump(at: Self.at(0.045))
        let mark = next.compactMap { action -> (Int, [Int64])? in if case .markSending(let batch, let ids) = action { (batch, ids) } else { nil } }.first
        guard let (batch, ids) = mark else { Issue.record("expected a mark, got \(next)"); return }
        // When an account-wide 429 comes back meanwhile
        _ = machine.outcome(deliveryID: sent[0], .rateLimited(scope: .account, retryAfter: 3, reason: "Too Many Requests"), at: Self.at(0.05), random: 0)
        // Then the rows of that mark go back to pending for after the pause, unsent
        #expect(Self.sends(machine.marked(batch: batch, Set(ids), at: Self.at(0.06))).isEmpty)
        let results = Self.records(machine.pump(at: Self.at(0.06)))
        #expect(ids.allSatisfy { id in results.contains { $0.deliveryID == id && $0.state == .pending && ($0.nextAttemptAt ?? 0) >= Self.at(3.0).wallMs } })
    }

    @Test func rateLimited_pausesTheScope_andTheDeliveryWaitsForRetryAfter() throws {
        var machine = Self.machine(rate: 1000)
        var ledger: [Int64: [PendingDelivery]] = [1: Self.rows(1, [1, 2])]
        machine.campaignsRunning([try Self.campaign(1)])
        #expect(Self.sends(Self.cycle(&machine, at: Self.at(0), ledger: &ledger)).count == 2)
        let actions = machine.outcome(deliveryID: 1, .rateLimited(scope: .account, retryAfter: 5, reason: "Too Many Requests"), at: Self.at(0.1), random: 0)
        #expect(actions == [.rateLimited(account: "bot", seconds: 5, reason: "Too Many Requests")])
        let result = Self.records(machine.pump(at: Self.at(0.1))).first
        #expect(result?.state == .pending && result?.nextAttemptAt == Self.at(0.1).wallMs + 5_000)
        #expect(result?.reason == "rate limited: Too Many Requests" && result?.reasonClass == "rate_limited")
    }

    @Test func reasonClass_isOneOfAFewWords_whateverThePlatformSaid() {
        func result(_ state: DeliveryResult.State, _ reason: String?, status: String? = nil) -> String {
            DeliveryResult(deliveryID: 1, campaignID: 1, subscriberID: 1, account: "a", state: state, reason: reason, subscriberStatus: status).reasonClass
        }
        #expect(result(.sent, nil) == "ok")
        #expect(result(.failed, "Forbidden: bot was blocked by the user", status: "blocked") == "blocked")
        #expect(result(.failed, "gave up after 9 attempts in 24 h: Bad Gateway") == "gave_up")
        #expect(result(.failed, "Bad Request: can't parse entities \(String(repeating: "x", count: 300))") == "refused")
        #expect(result(.skipped, "outside_window: last message 30 h ago") == "outside_window")
        #expect(result(.skipped, "expired") == "expired")
        #expect(result(.skipped, "something new") == "other")
        #expect(result(.pending, "account outage: HTTP 502") == "outage")
        #expect(result(.pending, "Internal Server Error") == "retry")
        #expect(result(.uncertain, "timeout") == "uncertain")
    }

    @Test func uncertain_waitsAndIsFlaggedAsAPossibleDuplicate() throws {
        var machine = Self.machine()
        var rows = Self.rows(1, [1, 2])
        rows[1].wasUncertain = true
        var ledger: [Int64: [PendingDelivery]] = [1: rows]
        machine.campaignsRunning([try Self.campaign(1)])
        _ = Self.cycle(&machine, at: Self.at(0), ledger: &ledger)
        _ = machine.outcome(deliveryID: 1, .uncertain(reason: "timed out"), at: Self.at(0.5), random: 0)
        let actions = Self.cycle(&machine, at: Self.at(1), ledger: &ledger)
        _ = machine.outcome(deliveryID: 2, Self.sent, at: Self.at(1), random: 0)
        let results = Self.records(actions) + Self.records(machine.pump(at: Self.at(1)))
        let first = try #require(results.first { $0.deliveryID == 1 })
        #expect(first.state == .uncertain)
        #expect(first.possibleDuplicate)
        #expect(first.nextAttemptAt == Self.at(0.5).wallMs + 60_000)
        // A resend of one that was uncertain is flagged even when it succeeds
        #expect(results.first { $0.deliveryID == 2 }?.possibleDuplicate == true)
    }

    @Test func migrated_resendsToTheNewChat_andRecordsIt() throws {
        var machine = Self.machine(rate: 1000)
        var ledger: [Int64: [PendingDelivery]] = [1: Self.rows(1, [-4001])]
        machine.campaignsRunning([try Self.campaign(1)])
        _ = Self.cycle(&machine, at: Self.at(0), ledger: &ledger)
        let resend = Self.sends(machine.outcome(deliveryID: 1, .migrated(newChatID: "-1009876"), at: Self.at(0.1), random: 0))
        #expect(resend.map(Self.chat) == ["-1009876"])
        _ = machine.outcome(deliveryID: 1, Self.sent, at: Self.at(0.2), random: 0)
        #expect(Self.records(machine.pump(at: Self.at(0.2))).first?.migratedChatID == "-1009876")
    }

    static let photo = #"[{"type": "image", "url": "https://shop.example.com/p.jpg"}]"#

    static func photoField(_ send: Machine.Send) -> String? {
        guard case .object(let body) = send.message.body, case .string(let photo)? = body["photo"] else { return nil }
        return photo
    }

    @Test func media_learnedOnce_isRememberedForTheAccount_andReusedByItsNextCampaign() throws {
        var machine = Self.machine(rate: 1000)
        var ledger: [Int64: [PendingDelivery]] = [1: Self.rows(1, [11])]
        machine.campaignsRunning([try Self.campaign(1, modules: Self.photo)])
        // The first send goes by URL; its file_id is handed to the shell to store
        #expect(Self.sends(Self.cycle(&machine, at: Self.at(0), ledger: &ledger)).map(Self.photoField) == ["https://shop.example.com/p.jpg"])
        let learned = machine.outcome(deliveryID: 1, .sent(messageID: "m", reusableMediaID: "AgAC-1"), at: Self.at(0.1), random: 0)
        #expect(learned == [.rememberMedia(account: "bot", url: "https://shop.example.com/p.jpg", mediaID: "AgAC-1")])
        _ = Self.cycle(&machine, at: Self.at(0.1), ledger: &ledger)
        // A later campaign of the same account sends the id, and learning it again is not stored twice
        ledger[2] = Self.rows(2, [12], from: 20)
        machine.campaignsRunning([try Self.campaign(2, modules: Self.photo)])
        #expect(Self.sends(Self.cycle(&machine, at: Self.at(0.2), ledger: &ledger)).map(Self.photoField) == ["AgAC-1"])
        #expect(machine.outcome(deliveryID: 20, .sent(messageID: "m", reusableMediaID: "AgAC-1"), at: Self.at(0.3), random: 0).isEmpty)
    }

    @Test func media_storedBeforeARestart_isReusedFromTheFirstSend() throws {
        var machine = Self.machine(rate: 1000)
        machine.mediaKnown(["bot": ["https://shop.example.com/p.jpg": "AgAC-9"], "other": ["https://x.example/y.jpg": "Z"]])
        var ledger: [Int64: [PendingDelivery]] = [1: Self.rows(1, [11])]
        machine.campaignsRunning([try Self.campaign(1, modules: Self.photo)])
        #expect(Self.sends(Self.cycle(&machine, at: Self.at(0), ledger: &ledger)).map(Self.photoField) == ["AgAC-9"])
    }

    @Test func media_idRefused_isForgotten_andThatPartGoesByURLOnce() throws {
        var machine = Self.machine(rate: 1000)
        machine.mediaKnown(["bot": ["https://shop.example.com/p.jpg": "stale"]])
        var ledger: [Int64: [PendingDelivery]] = [1: Self.rows(1, [11])]
        machine.campaignsRunning([try Self.campaign(1, modules: Self.photo)])
        _ = Self.cycle(&machine, at: Self.at(0), ledger: &ledger)
        // The platform refuses the stored id: it is forgotten and the same part goes again, by URL
        let retry = machine.outcome(deliveryID: 1, .permanent(reason: "Bad Request: wrong file identifier"), at: Self.at(0.1), random: 0)
        #expect(retry.first == .forgetMedia(account: "bot", url: "https://shop.example.com/p.jpg"))
        #expect(Self.sends(retry + machine.pump(at: Self.at(1.2))).map(Self.photoField) == ["https://shop.example.com/p.jpg"])
        // A second refusal (by URL) fails the delivery with the platform's reason
        _ = machine.outcome(deliveryID: 1, .permanent(reason: "Bad Request: wrong type of the web page content"), at: Self.at(1.3), random: 0)
        #expect(Self.records(machine.pump(at: Self.at(1.3))).first?.reason == "Bad Request: wrong type of the web page content")
    }

    @Test func multiPart_nextPartWaitsForTheChatsSlot_andAPermanentFailureNamesThePart() throws {
        var machine = Self.machine(rate: 1000)
        var ledger: [Int64: [PendingDelivery]] = [1: Self.rows(1, [42])]
        machine.campaignsRunning([try Self.campaign(1, modules: #"[{"type": "text", "text": "one"}, {"type": "text", "text": "two"}]"#)])
        _ = Self.cycle(&machine, at: Self.at(0), ledger: &ledger)
        // One message per second per private chat: the second part waits a second after the first answer
        #expect(machine.outcome(deliveryID: 1, Self.sent, at: Self.at(0.2), random: 0).isEmpty)
        // It is held without a slot until its chat is nearly free (a lookahead before), then takes one
        let hold = try #require(machine.nextDeadline)
        #expect(hold > 1.15 && hold < 1.2)
        #expect(Self.sends(machine.pump(at: Self.at(1.0))).isEmpty)
        #expect(Self.sends(machine.pump(at: Self.at(hold))).isEmpty)
        let deadline = try #require(machine.nextDeadline)
        #expect(deadline > 1.2 && deadline < 1.25)
        #expect(Self.sends(machine.pump(at: Self.at(deadline))).count == 1)
        _ = machine.outcome(deliveryID: 1, .permanent(reason: "Bad Request: message is too long"), at: Self.at(deadline + 0.1), random: 0)
        let result = Self.records(machine.pump(at: Self.at(deadline + 0.1))).first
        #expect(result?.reason == "Bad Request: message is too long (part 2 of 2)")
        #expect(result?.partsSent == 1)
    }

    @Test func markRefused_forAPausedCampaign_dropsTheDelivery_andPausingStopsPicks() throws {
        var machine = Self.machine(rate: 1000)
        let ledger: [Int64: [PendingDelivery]] = [1: Self.rows(1, [1, 2, 3])]
        machine.campaignsRunning([try Self.campaign(1)])
        var actions = machine.pump(at: Self.at(0))
        guard case .load(let id, let after, let limit) = actions.first else { Issue.record("expected a load, got \(actions)"); return }
        machine.deliveriesLoaded(campaignID: id, Array(ledger[1]!.filter { $0.id > after }.prefix(limit)), exhausted: true, nextDueAt: nil, at: Self.at(0))
        actions = machine.pump(at: Self.at(0))
        #expect(actions == [.markSending(batch: 1, ids: [1, 2, 3])])
        // The campaign was paused between the pick and the commit: the ledger refused them all
        #expect(machine.marked(batch: 1, [], at: Self.at(0)).isEmpty)
        #expect(machine.inFlight == 0)
        machine.campaignsRunning([])
        #expect(machine.pump(at: Self.at(5)).isEmpty)
    }

    @Test func marks_severalMayBeOut_eachAnsweredForItsOwnRows() throws {
        var machine = Self.machine(rate: 100)
        let rows = Self.rows(1, Array(1...20))
        machine.campaignsRunning([try Self.campaign(1)])
        guard case .load(let id, _, _) = machine.pump(at: Self.at(0)).first else { Issue.record("expected a load"); return }
        machine.deliveriesLoaded(campaignID: id, rows, exhausted: true, nextDueAt: nil, at: Self.at(0))
        // A slow first mark does not stop the next picks
        let first = machine.pump(at: Self.at(0))
        let second = machine.pump(at: Self.at(0.05))
        guard case .markSending(let a, let firstIDs) = first.first, case .markSending(let b, let secondIDs) = second.first else {
            Issue.record("expected two marks, got \(first) and \(second)")
            return
        }
        #expect(a != b && Set(firstIDs).isDisjoint(with: secondIDs))
        // The second answers first; the first's rows are still waiting for theirs
        let sends = Self.sends(machine.marked(batch: b, Set(secondIDs), at: Self.at(0.11)))
        #expect(Set(sends.map(\.deliveryID)).isSubset(of: Set(secondIDs)))
        #expect(machine.inFlight == firstIDs.count + secondIDs.count)
        _ = machine.markFailed(batch: a, "disk I/O error", at: Self.at(0.12))
        #expect(machine.inFlight == secondIDs.count)
    }

    @Test func answersAlone_waitForMore_onlyWithManyCallsOut_neverPastADeadline() throws {
        var machine = Self.machine(rate: 2000)
        var ledger: [Int64: [PendingDelivery]] = [1: Self.rows(1, Array(1...100))]
        machine.campaignsRunning([try Self.campaign(1)])
        #expect(machine.answersMayWait(at: 0) == nil)
        _ = Self.cycle(&machine, at: Self.at(0), ledger: &ledger)
        // 100 picked within the lookahead, spaced 0.5 ms apart: the next slot is the limit
        #expect(machine.inFlight == 100)
        let slot = try #require(machine.nextDeadline)
        #expect(slot > 0 && slot < 0.002)
        #expect(machine.answersMayWait(at: 0) == slot)
        // All sent at their slots, none answered: two milliseconds
        var sent = 0
        while let next = machine.nextDeadline { sent += Self.sends(machine.pump(at: Self.at(next))).count }
        #expect(sent > 0 && machine.inFlight == 100)
        #expect(machine.answersMayWait(at: 1) == 1.002)
        // Fewer than 64 out: answers are taken at once
        for id in Int64(1)...37 { _ = machine.outcome(deliveryID: id, Self.sent, at: Self.at(1), random: 0) }
        #expect(machine.inFlight == 63)
        #expect(machine.answersMayWait(at: 1) == nil)
    }

    @Test func lateLoop_sendsItsBacklogAtTheAccountsPace_notAllAtOnce() throws {
        var machine = Self.machine(rate: 400)
        var ledger: [Int64: [PendingDelivery]] = [1: Self.rows(1, Array(1...40))]
        machine.campaignsRunning([try Self.campaign(1)])
        // Slots reserved 2.5 ms apart within the 50 ms lookahead, then the loop wakes 100 ms late
        _ = Self.cycle(&machine, at: Self.at(0), ledger: &ledger)
        let late = Self.sends(machine.pump(at: Self.at(0.1)))
        // The shaper lets 5 ms of catch-up go (2 calls at 400/s); the rest follow at the account's pace
        #expect(late.count == 2, "\(late.map(\.deliveryID))")
        let next = try #require(machine.nextDeadline)
        #expect(next > 0.1 && next < 0.104)
    }

    @Test func storeFailure_holdsResults_backsOff_andSaysSoOncePerChange() throws {
        var machine = Self.machine(rate: 1000)
        var ledger: [Int64: [PendingDelivery]] = [1: Self.rows(1, [1, 2])]
        machine.campaignsRunning([try Self.campaign(1)])
        _ = Self.cycle(&machine, at: Self.at(0), ledger: &ledger)
        _ = machine.outcome(deliveryID: 1, Self.sent, at: Self.at(0.1), random: 0)
        let first = Self.records(machine.pump(at: Self.at(0.1)))
        #expect(first.count == 1)
        // The disk is full: the result is kept, and the machine says so once
        #expect(machine.recordFailed("disk I/O error", at: Self.at(0.1)) == [.storeFailing(reason: "disk I/O error")])
        #expect(machine.pump(at: Self.at(0.2)).isEmpty)
        _ = machine.outcome(deliveryID: 2, Self.sent, at: Self.at(0.3), random: 0)
        // After the backoff both are written, oldest first; a second failure is silent
        let again = Self.records(machine.pump(at: Self.at(0.6)))
        #expect(again.map(\.deliveryID) == [1, 2])
        #expect(machine.recordFailed("disk I/O error", at: Self.at(0.6)).isEmpty)
        #expect(machine.pump(at: Self.at(1.0)).isEmpty)
        #expect(Self.records(machine.pump(at: Self.at(1.7))).map(\.deliveryID) == [1, 2])
        #expect(machine.recorded(at: Self.at(1.7)) == [.storeRecovered])
        #expect(!machine.hasWork)
    }

    @Test func drain_returnsMarkedButUnsentDeliveriesToPending() throws {
        var machine = Self.machine(rate: 1)
        var ledger: [Int64: [PendingDelivery]] = [1: Self.rows(1, [1, 2])]
        machine.campaignsRunning([try Self.campaign(1)])
        #expect(Self.sends(Self.cycle(&machine, at: Self.at(0), ledger: &ledger)).count == 1)
        _ = machine.outcome(deliveryID: 1, Self.sent, at: Self.at(0.1), random: 0)
        // The second's slot (1.017 s at 1/s) is within the lookahead at 0.98 s: it is marked, not yet sent
        let marked = Self.cycle(&machine, at: Self.at(0.98), ledger: &ledger)
        #expect(marked.contains { if case .markSending(_, [2]) = $0 { true } else { false } })
        #expect(Self.sends(marked).isEmpty)
        // A drain starting then gives it back as pending: it never left
        let drained = Self.records(machine.drain(at: Self.at(0.99)))
        #expect(drained.map { "\($0.deliveryID) \($0.state)" } == ["2 pending"])
        #expect(machine.pump(at: Self.at(2)).isEmpty)
    }
}
