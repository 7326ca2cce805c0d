import HeraldModel
import Testing

@Suite struct ArrivalWindowTests {
    @Test func callsOut_countUntilAnswered_andThenUntilTheirArrivalBoundLeavesTheWindow() {
        var window = ArrivalWindow(limit: 3)
        #expect(window.earliest(at: 0) == 0)
        for _ in 0..<3 { window.sent() }
        // All three are out: nothing answered can leave, so the next answer is what frees a place.
        #expect(window.earliest(at: 0.1) == 1.1)
        // Answered at 0.2, written at 0: it arrived by 0.01, and counts until 1.01.
        window.answered(at: 0.2, writtenAt: 0)
        #expect(window.out == 2)
        #expect(window.earliest(at: 0.3) == 1.01)
        #expect(window.earliest(at: 1.01) == 1.01)
    }

    @Test func anAnswerWithoutItsWriteTime_countsUntilASecondAfterTheAnswer() {
        var window = ArrivalWindow(limit: 2)
        window.sent()
        window.sent()
        window.answered(at: 0.4, writtenAt: nil)
        window.answered(at: 0.5, writtenAt: 0.49)
        // Both answered; the bounds are 0.4 and min(0.5, 0.5)
        #expect(window.earliest(at: 0.6) == 1.4)
        window.sent()
        #expect(window.earliest(at: 1.4) == 1.5)
        #expect(window.earliest(at: 1.5) == 1.5)
    }

    @Test func boundsLeaveInTheOrderOfArrival_notOfAnswer() {
        var window = ArrivalWindow(limit: 2)
        window.sent()
        window.sent()
        window.answered(at: 0.5, writtenAt: nil)
        window.answered(at: 0.51, writtenAt: 0)
        // The second arrived by 0.01, before the first's 0.5: it leaves first
        #expect(window.earliest(at: 0.6) == 1.01)
        #expect(window.earliest(at: 1.01) == 1.01)
        window.sent()
        #expect(window.earliest(at: 1.2) == 1.5)
    }

    @Test func manyAnswers_leaveInOrder_andTheStateStaysSmall() {
        var window = ArrivalWindow(limit: 100)
        for index in 0..<10_000 {
            let now = Double(index) * 0.011
            #expect(window.earliest(at: now) == now)
            window.sent()
            window.answered(at: now + 0.001, writtenAt: now)
        }
        #expect(window.out == 0)
    }
}
