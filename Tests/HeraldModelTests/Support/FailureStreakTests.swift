import HeraldModel
import Testing

@Suite struct FailureStreakTests {
    @Test func streak_doublesItsDelayToTheCap_andIsNewsOnlyAtItsEdges() {
        var streak = FailureStreak(base: 1, cap: 30)
        #expect(streak.succeeded() == nil)
        let delays = (0..<7).map { _ in streak.failed() }
        #expect(delays.map(\.retryIn) == [1, 2, 4, 8, 16, 30, 30])
        #expect(delays.map(\.isNew) == [true, false, false, false, false, false, false])
        #expect(streak.isFailing)
        #expect(streak.succeeded() == 7)
        #expect(!streak.isFailing && streak.succeeded() == nil)
        #expect(streak.failed() == (retryIn: 1, isNew: true))
    }
}
