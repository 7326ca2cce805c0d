import Foundation
import HeraldModel
import Testing

/// The feed schedule, event by event, on a manual clock (Dates passed in).
@Suite struct FeedSchedulerStateMachineTests {
    let start = Date(timeIntervalSince1970: 1_796_553_600) // 2026-12-06T10:40:00Z, a Sunday

    func feed(_ name: String, _ frequency: FeedJob.Frequency, next: Date? = nil, version: Int64 = 1) -> FeedSchedulerStateMachine.Feed {
        .init(name: name, frequency: frequency, nextRunAt: next, version: version)
    }

    @Test func aNewFeedIsPolledAtOnce_thenAtItsIntervalPlusItsJitter() {
        var machine = FeedSchedulerStateMachine()
        #expect(machine.feedsLoaded([feed("blog", .everyMinutes(60))], now: start) == [.poll(name: "blog")])
        #expect(machine.due(now: start) == [])
        #expect(machine.nextWake == nil)
        let jitter = FeedSchedule.jitter(name: "blog", frequency: .everyMinutes(60))
        #expect(jitter >= 0 && jitter <= 120)
        let finished = start.addingTimeInterval(3)
        let next = start.addingTimeInterval(3600 + jitter)
        #expect(machine.pollFinished(name: "blog", succeeded: true, now: finished) == [.scheduled(name: "blog", at: next)])
        #expect(machine.nextWake == next)
        #expect(machine.due(now: next.addingTimeInterval(-0.001)) == [])
        #expect(machine.due(now: next) == [.poll(name: "blog")])
        // Slots stay on the grid: a slow poll does not push the next one later.
        #expect(machine.pollFinished(name: "blog", succeeded: true, now: next.addingTimeInterval(50)) == [.scheduled(name: "blog", at: start.addingTimeInterval(7200 + jitter))])
    }

    @Test func jitterSpreadsFeedsOfTheSameFrequency() {
        let jitters = Set((0..<50).map { FeedSchedule.jitter(name: "feed-\($0)", frequency: .everyMinutes(60)) })
        #expect(jitters.count > 40)
        #expect(jitters.allSatisfy { $0 < 120 })
        #expect(FeedSchedule.jitter(name: "a", frequency: .everyMinutes(5)) < 30)
    }

    @Test func aRestartKeepsTheRememberedTime_andMissedSlotsAreNotCaughtUpOneByOne() {
        var machine = FeedSchedulerStateMachine()
        let remembered = start.addingTimeInterval(600)
        #expect(machine.feedsLoaded([feed("blog", .everyMinutes(60), next: remembered)], now: start) == [])
        #expect(machine.nextWake == remembered)
        // Down for five hours: one poll, then the next slot after now.
        let late = remembered.addingTimeInterval(5 * 3600 + 10)
        #expect(machine.due(now: late) == [.poll(name: "blog")])
        let actions = machine.pollFinished(name: "blog", succeeded: true, now: late)
        guard case .scheduled(_, let at)? = actions.first else { Issue.record("no schedule"); return }
        #expect(at > late && at <= late.addingTimeInterval(3600 + 120))
    }

    @Test func dailyAndWeekly_followTheWallClockInTheirZone() {
        var machine = FeedSchedulerStateMachine()
        _ = machine.feedsLoaded([feed("daily", .daily(hour: 9, minute: 30, zone: "Europe/Rome")), feed("weekly", .weekly(weekday: 2, hour: 8, minute: 0, zone: "America/New_York"))], now: start)
        let daily = machine.pollFinished(name: "daily", succeeded: true, now: start)
        let weekly = machine.pollFinished(name: "weekly", succeeded: true, now: start)
        let dailyJitter = FeedSchedule.jitter(name: "daily", frequency: .daily(hour: 9, minute: 30, zone: "Europe/Rome"))
        let weeklyJitter = FeedSchedule.jitter(name: "weekly", frequency: .weekly(weekday: 2, hour: 8, minute: 0, zone: "America/New_York"))
        // 09:30 in Rome on Monday 7 December is 08:30Z; Monday 08:00 in New York is 13:00Z.
        #expect(daily.first == .scheduled(name: "daily", at: FeedDate.parse("2026-12-07T08:30:00Z")!.addingTimeInterval(dailyJitter)))
        #expect(weekly.first == .scheduled(name: "weekly", at: FeedDate.parse("2026-12-07T13:00:00Z")!.addingTimeInterval(weeklyJitter)))
    }

    @Test func failuresBackOff_neverPastTheNextRegularSlot_andSuccessResets() {
        var machine = FeedSchedulerStateMachine()
        _ = machine.feedsLoaded([feed("blog", .everyMinutes(10))], now: start)
        #expect(machine.pollFinished(name: "blog", succeeded: false, now: start) == [.scheduled(name: "blog", at: start.addingTimeInterval(60))])
        _ = machine.due(now: start.addingTimeInterval(60))
        #expect(machine.pollFinished(name: "blog", succeeded: false, now: start.addingTimeInterval(60)) == [.scheduled(name: "blog", at: start.addingTimeInterval(180))])
        _ = machine.due(now: start.addingTimeInterval(180))
        let jitter = FeedSchedule.jitter(name: "blog", frequency: .everyMinutes(10))
        // 4 minutes of backoff would pass the 10-minute slot.
        #expect(machine.pollFinished(name: "blog", succeeded: false, now: start.addingTimeInterval(580)) == [.scheduled(name: "blog", at: start.addingTimeInterval(600 + jitter))])
        _ = machine.due(now: start.addingTimeInterval(600 + jitter))
        #expect(machine.pollFinished(name: "blog", succeeded: true, now: start.addingTimeInterval(601 + jitter)) == [.scheduled(name: "blog", at: start.addingTimeInterval(1200 + jitter))])
    }

    @Test func aChangedFeedIsPolledAgainAtOnce_evenWhenItChangesMidPoll_andADeletedOneIsForgotten() {
        var machine = FeedSchedulerStateMachine()
        _ = machine.feedsLoaded([feed("blog", .everyMinutes(60))], now: start)
        _ = machine.pollFinished(name: "blog", succeeded: true, now: start)
        let later = start.addingTimeInterval(100)
        #expect(machine.feedsLoaded([feed("blog", .everyMinutes(60))], now: later) == [])
        #expect(machine.feedsLoaded([feed("blog", .everyMinutes(30), version: 2)], now: later) == [.poll(name: "blog")])
        // Changed again while that poll runs: polled once more when it ends.
        #expect(machine.feedsLoaded([feed("blog", .everyMinutes(30), version: 3)], now: later) == [])
        #expect(machine.pollFinished(name: "blog", succeeded: true, now: later) == [.scheduled(name: "blog", at: later), .poll(name: "blog")])
        #expect(machine.feedsLoaded([], now: later) == [])
        #expect(machine.nextWake == nil)
        #expect(machine.pollFinished(name: "blog", succeeded: true, now: later) == [])
    }

    @Test func atMostFourPollsAtOnce_theMostOverdueFirst() {
        var machine = FeedSchedulerStateMachine(maxConcurrentPolls: 2)
        let feeds = (0..<4).map { feed("f\($0)", .everyMinutes(60), next: start.addingTimeInterval(Double(-$0))) }
        #expect(machine.feedsLoaded(feeds, now: start) == [.poll(name: "f3"), .poll(name: "f2")])
        let actions = machine.pollFinished(name: "f3", succeeded: true, now: start)
        #expect(actions.dropFirst() == [.poll(name: "f1")])
    }
}
