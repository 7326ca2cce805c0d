import Foundation
import HeraldModel
import Testing

@Suite struct JobWarningTests {
    func campaign(sendAt: String, expiresAt: String? = nil) throws -> Job {
        let expiry = expiresAt.map { #", "expires_at": ""# + $0 + #"""# } ?? ""
        return try decode(#"{"type": "campaign", "account": "shop_bot", "audience": {"all": true}, "send_at": ""# + sendAt + #"""# + expiry + #", "message": {"modules": [{"type": "text", "text": "x"}]}}"#)
    }

    func iso(_ offset: TimeInterval) -> String { ISO8601DateFormatter().string(from: fixedNow.addingTimeInterval(offset)) }

    @Test func pastSendAt_warnsWithHowLate_andSuggestsAnExpiry() throws {
        let warnings = JobWarning.check(try campaign(sendAt: iso(-3 * 3600 - 300)), now: fixedNow)
        #expect(warnings.map(\.code) == ["send_at_past"])
        #expect(warnings.first?.message.contains("(by 3 h 5 min)") == true)
        #expect(warnings.first?.message.hasSuffix("give it an expires_at if it must not go out late") == true)
        // With an expiry that is still ahead, the same warning without the advice
        let bounded = JobWarning.check(try campaign(sendAt: iso(-3 * 86_400), expiresAt: iso(3600)), now: fixedNow)
        #expect(bounded.first?.message.hasSuffix("goes out as soon as it is accepted") == true)
        #expect(bounded.first?.message.contains("(by 3 d)") == true)
    }

    @Test func sendAt_inTheFutureOrWithinAMinute_andOtherJobs_getNoWarning() throws {
        #expect(JobWarning.check(try campaign(sendAt: iso(3600)), now: fixedNow).isEmpty)
        #expect(JobWarning.check(try campaign(sendAt: iso(-30)), now: fixedNow).isEmpty)
        #expect(JobWarning.check(try decode(#"{"type": "pause", "job": "x"}"#), now: fixedNow).isEmpty)
    }
}
