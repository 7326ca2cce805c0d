import Foundation
import HeraldModel
import Testing

@Suite struct FeedDateTests {
    let reference = Date(timeIntervalSince1970: 1_796_553_600)

    @Test func rfc822_andItsBrokenVariants() {
        let expected = Date(timeIntervalSince1970: 1_796_553_600)
        for text in [
            "Sun, 06 Dec 2026 10:40:00 +0000", "Sun, 06 Dec 2026 10:40:00 GMT", "Sun, 6 Dec 2026 10:40:00 UT", "06 Dec 2026 10:40:00 Z",
            "Sun, 06 Dec 2026 11:40:00 +0100", "Sun, 06 Dec 2026 05:40:00 EST", "Sun, 06 Dec 2026 10:40 GMT", "Sunday, 06 December 2026 10:40:00 GMT",
            "sun, 06 dec 26 10:40:00 gmt", "Sun, 06 Dec 2026 10:40:00", "Dec 06 2026 10:40:00 GMT", "Sun, 06 Dec 2026 11:40:00 +01:00",
        ] {
            #expect(FeedDate.parse(text) == expected, "\(text)")
        }
        #expect(FeedDate.parse("Sun, 06 Dec 2026") == Date(timeIntervalSince1970: 1_796_515_200))
    }

    @Test func rfc3339_andItsBrokenVariants() {
        let expected = Date(timeIntervalSince1970: 1_796_553_600)
        for text in [
            "2026-12-06T10:40:00Z", "2026-12-06T10:40:00+00:00", "2026-12-06T11:40:00+01:00", "2026-12-06T11:40:00+0100", "2026-12-06 10:40:00Z",
            "2026-12-06T10:40:00", "2026-12-06T10:40Z", "2026-12-06t10:40:00z", "  2026-12-06T10:40:00Z\n", "2026-12-06T05:40:00-05:00",
        ] {
            #expect(FeedDate.parse(text) == expected, "\(text)")
        }
        #expect(FeedDate.parse("2026-12-06T10:40:00.250Z") == expected.addingTimeInterval(0.25))
        #expect(FeedDate.parse("2026-12-06") == Date(timeIntervalSince1970: 1_796_515_200))
    }

    @Test func garbage_isNoDate() {
        for text in [
            "", "yesterday", "2026-13-01T00:00:00Z", "2026-02-30", "2026-12-06T25:00:00Z", "31 Foo 2026", "Sun, 32 Dec 2026 10:00:00 GMT",
            "2026-12-06T10:40:00+99:00", "Sun, 06 Dec 2026 10:40:00 XYZ", String(repeating: "9", count: 10_000), "2026-", "2026-12-0",
            "Sun, 06 Dec 1800 10:00:00 GMT", "06 Dec 2026 1a:00",
        ] {
            #expect(FeedDate.parse(text) == nil, "\(text.prefix(40))")
        }
    }
}
