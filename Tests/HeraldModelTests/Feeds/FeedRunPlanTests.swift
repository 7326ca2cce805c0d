import Foundation
import HeraldModel
import Testing

@Suite struct FeedRunPlanTests {
    func item(_ key: String, _ day: Int? = nil) -> FeedItem {
        FeedItem(key: key, title: "T\(key)", published: day.map { Date(timeIntervalSince1970: TimeInterval($0 * 86_400)) })
    }

    @Test func firstRun_remembersTheBackCatalogue_orSendsTheLatestN() {
        let items = [item("c", 3), item("b", 2), item("a", 1)]
        let quiet = FeedRunPlan(items: items, seen: [], firstRun: true, sendLatestOnFirstRun: 0, maxItems: 5)
        #expect(quiet.send.isEmpty)
        #expect(quiet.skipped.map(\.item.key) == ["c", "b", "a"])
        #expect(quiet.skipped.allSatisfy { $0.reason == .firstRun })
        let latest = FeedRunPlan(items: items, seen: [], firstRun: true, sendLatestOnFirstRun: 2, maxItems: 5)
        #expect(latest.send.map(\.key) == ["b", "c"])
        #expect(latest.skipped.map(\.item.key) == ["a"])
    }

    @Test func laterRuns_sendOnlyNewItems_oldestFirst_cappedWithTheOldestLeftOut() {
        let items = [item("e", 5), item("d", 4), item("c", 3), item("b", 2), item("a", 1)]
        let plan = FeedRunPlan(items: items, seen: ["a", "b"], firstRun: false, sendLatestOnFirstRun: 0, maxItems: 2)
        #expect(plan.send.map(\.key) == ["d", "e"])
        #expect(plan.skipped.map(\.item.key) == ["c"])
        #expect(plan.skipped.map(\.reason) == [.overLimit])
        #expect(FeedRunPlan(items: items, seen: Set(items.map(\.key)), firstRun: false, sendLatestOnFirstRun: 0, maxItems: 5).send.isEmpty)
    }

    @Test func datesOrderItemsWhereAllHaveOne_feedOrderOtherwise_andDuplicatesCountOnce() {
        // Listed oldest first, with dates: the newest are chosen.
        let dated = FeedRunPlan(items: [item("a", 1), item("b", 2), item("c", 3)], seen: [], firstRun: false, sendLatestOnFirstRun: 0, maxItems: 2)
        #expect(dated.send.map(\.key) == ["b", "c"])
        // Without dates, the feed's order is newest first.
        let undated = FeedRunPlan(items: [item("x"), item("y"), item("x"), item("z")], seen: [], firstRun: false, sendLatestOnFirstRun: 0, maxItems: 5)
        #expect(undated.send.map(\.key) == ["z", "y", "x"])
    }
}
