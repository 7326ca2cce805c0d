import HeraldModel
import Testing

@Suite struct TextFittingTests {
    @Test func fit_whenItFits_isUnchanged() {
        #expect(TextFitting.fit("exactly twenty chars", utf16Limit: 20) == "exactly twenty chars")
        #expect(TextFitting.fit("", utf16Limit: 20) == "")
    }

    @Test func fit_whenTooLong_cutsAndMarksTheCutWithinTheLimit() {
        let fitted = TextFitting.fit("This title is far too long", utf16Limit: 20)
        #expect(fitted == "This title is far t…")
        #expect(fitted.utf16.count == 20)
    }

    @Test func fit_countsUTF16Units_andNeverSplitsAGraphemeCluster() {
        // 👩‍👩‍👧‍👦 is one grapheme of 11 UTF-16 units; "ë" here is e + U+0308, one grapheme of 2 units
        let family = "👩‍👩‍👧‍👦"
        let text = "Zoe\u{0308} " + family + " and more text"
        let fitted = TextFitting.fit(text, utf16Limit: 17)
        #expect(fitted == "Zoe\u{0308} " + family + "…")
        #expect(fitted.utf16.count == 17)
        // One unit less and the family no longer fits: it is dropped whole, with the space before it
        #expect(TextFitting.fit(text, utf16Limit: 16) == "Zoe\u{0308}…")
        // A limit that falls inside the combining pair drops the pair whole
        #expect(TextFitting.fit("Zoe\u{0308}zzz", utf16Limit: 4) == "Zo…")
    }
}
