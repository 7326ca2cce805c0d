import HeraldModel
import Testing

@Suite struct RateLimiterTests {
    /// Sends as fast as the limiter allows for `seconds` of simulated time; returns the grant times.
    func drive(_ limiter: inout RateLimiter, seconds: Double, chats: (Int) -> String, account: String = "bot", heavy: Bool = false, job: String? = nil) -> [Double] {
        var now = 0.0
        var grants: [Double] = []
        var index = 0
        while now < seconds - 1e-9 {
            switch limiter.acquire(account: account, chat: chats(index), heavyMedia: heavy, job: job, at: now) {
            case .granted:
                grants.append(now)
                index += 1
            case .wait(let until):
                #expect(until > now)
                now = until
            }
        }
        return grants
    }

    @Test func account_telegramThirtyPerSecond_exactly() {
        var limiter = RateLimiter(accounts: ["bot": .init(platform: .telegram, rate: 30)])
        let grants = drive(&limiter, seconds: 10, chats: { "\($0)" })
        // The headroom below the configured 30/s: 30 × 0.983 × 10 s
        #expect(grants.count == Int(30 * RateLimiter.headroom * 10) + 1)
        // No window of one second ever holds more than 30 sends (a burst allowance of 15 ms rounds to 0 at 30/s)
        for (index, time) in grants.enumerated() where index + 30 < grants.count {
            #expect(grants[index + 30] - time >= 1 - 1e-9)
        }
    }

    /// A reservation bounded by `notAfter` takes the slot only when it comes in time; refused, it takes nothing.
    @Test func reserve_notAfter_takesTheSlotOnlyWhenItComesInTime() {
        var limiter = RateLimiter(accounts: ["bot": .init(platform: .telegram, rate: 30)])
        let first = limiter.reserve(account: "bot", chat: "7", at: 0, notAfter: 0.5)
        #expect(first.slot == 0 && first.taken)
        // The chat's next slot is about a second away: refused, and asking again finds the same slot.
        let refused = limiter.reserve(account: "bot", chat: "7", at: 0.1, notAfter: 0.5)
        #expect(!refused.taken && refused.slot > 0.9)
        let again = limiter.reserve(account: "bot", chat: "7", at: 0.1, notAfter: 0.5)
        #expect(again.slot == refused.slot && !again.taken)
        // Another chat of the account is not held back by the refused ones: it gets the account's next slot.
        let other = limiter.reserve(account: "bot", chat: "8", at: 0.1, notAfter: 0.5)
        #expect(other.taken && other.slot == 0.1)
        // Unbounded, the chat's slot is taken where the bounded call saw it.
        #expect(limiter.reserve(account: "bot", chat: "7", at: 0.1) == refused.slot)
    }

    @Test func chat_onePerSecondPerPrivateChat_twentyPerMinutePerGroup() {
        var limiter = RateLimiter(accounts: ["bot": .init(platform: .telegram, rate: 30)])
        #expect(drive(&limiter, seconds: 10, chats: { _ in "42" }).count == 10)
        // The next call to a chat is spaced from the previous answer, not the grant
        var late = RateLimiter(accounts: ["bot": .init(platform: .telegram, rate: 30)])
        #expect(late.acquire(account: "bot", chat: "7", at: 0) == .granted)
        late.completed(account: "bot", chat: "7", at: 0.4)
        guard case .wait(let until) = late.acquire(account: "bot", chat: "7", at: 1.1) else { Issue.record("granted too early"); return }
        #expect(abs(until - (0.4 + 1 / RateLimiter.headroom)) < 1e-9)
        var groups = RateLimiter(accounts: ["bot": .init(platform: .telegram, rate: 30)])
        #expect(drive(&groups, seconds: 60, chats: { _ in "-100123" }).count == 20)
    }

    @Test func messenger_pageRateAndHeavyMedia() {
        var limiter = RateLimiter(accounts: ["page": .init(platform: .messenger, rate: 300)])
        // 98.3 % of 300/s for 2 s, plus the opening burst of ⌊300 × 0.01⌋ + 1 = 4: never above 600
        #expect(drive(&limiter, seconds: 2, chats: { "\($0)" }, account: "page").count == 593)
        var heavy = RateLimiter(accounts: ["page": .init(platform: .messenger, rate: 300)])
        #expect(drive(&heavy, seconds: 2, chats: { "\($0)" }, account: "page", heavy: true).count == 20)
    }

    @Test func jobRate_limitsBelowTheAccount() {
        var limiter = RateLimiter(accounts: ["bot": .init(platform: .telegram, rate: 30)])
        limiter.setJobRate("slow", rate: 5)
        #expect(drive(&limiter, seconds: 4, chats: { "\($0)" }, job: "slow").count == 20)
    }

    @Test func pause_holdsOnlyTheScopeThatHitTheLimit() {
        var limiter = RateLimiter(accounts: ["a": .init(platform: .telegram, rate: 30), "b": .init(platform: .telegram, rate: 30)])
        limiter.pause(.account("a"), until: 5)
        #expect(limiter.acquire(account: "a", chat: "1", at: 1) == .wait(until: 5))
        #expect(limiter.acquire(account: "b", chat: "1", at: 1) == .granted)
        #expect(limiter.acquire(account: "a", chat: "1", at: 5) == .granted)
    }

    @Test func prune_keepsMemoryToActiveChats() {
        var limiter = RateLimiter(accounts: ["bot": .init(platform: .telegram, rate: 1000)])
        for chat in 0..<10_000 { #expect(limiter.acquire(account: "bot", chat: "\(chat)", at: Double(chat) / 500) == .granted) }
        #expect(limiter.trackedKeys == 10_001)
        limiter.prune(at: 30)
        #expect(limiter.trackedKeys == 1)
    }

    @Test func retryPolicy_backsOffWithJitterWithinBounds() {
        let policy = RetryPolicy()
        // Doubling from 5 s, jittered within [½, 1) of the step
        #expect(policy.nextAttempt(attempts: 1, firstAttemptAt: 0, now: 0, random: 0) == 2.5)
        #expect(policy.nextAttempt(attempts: 1, firstAttemptAt: 0, now: 0, random: 0.999)! < 5)
        #expect(policy.nextAttempt(attempts: 4, firstAttemptAt: 0, now: 0, random: 0) == 20)
        // The platform's suggestion wins when longer
        #expect(policy.nextAttempt(attempts: 3, firstAttemptAt: 0, now: 0, suggested: 30, random: 0) == 30)
        // The step stops growing at an hour, however many attempts
        #expect(policy.nextAttempt(attempts: 40, firstAttemptAt: 0, now: 1000, random: 0.999)! < 1000 + 3600)
        #expect(policy.nextAttempt(attempts: 1_000, firstAttemptAt: 0, now: 1000, random: 0) == 2800)
        // The last try lands on the 24 h deadline; a failure after it fails the delivery
        #expect(policy.nextAttempt(attempts: 30, firstAttemptAt: 0, now: 86_000, random: 0.5) == 86_400)
        #expect(policy.nextAttempt(attempts: 31, firstAttemptAt: 0, now: 86_400, random: 0) == nil)
        #expect(RetryPolicy(maxAge: 3600).nextAttempt(attempts: 2, firstAttemptAt: 0, now: 3600, random: 0) == nil)
    }

    @Test func retry_survivesAnOutageOfMinutes() {
        // Attempts against a platform down for 5 minutes: the delivery is still being retried after it
        let policy = RetryPolicy()
        var now = 0.0, attempts = 1
        while now < 300 {
            guard let next = policy.nextAttempt(attempts: attempts, firstAttemptAt: 0, now: now, random: 0.5) else { Issue.record("gave up at \(now) s"); return }
            now = next
            attempts += 1
        }
        #expect(attempts <= 8, "a 5-minute outage costs a handful of attempts, not a campaign's worth: \(attempts)")
    }
}

@Suite struct RateLimiterBurstTests {
    /// At high rates a tick-driven caller gets what accrued since its last call, and no one-second window
    /// ever holds more than the configured rate.
    @Test(arguments: [300.0, 1000.0, 2000.0])
    func account_onTenMillisecondTicks_reachesTheRateWithoutExceedingIt(rate: Double) {
        var limiter = RateLimiter(accounts: ["bot": .init(platform: .telegram, rate: rate)])
        var grants: [Double] = []
        var chat = 0
        for tick in 0..<2000 {
            let now = Double(tick) * 0.005 + (tick % 3 == 0 ? 0.004 : 0)  // late ticks too
            while limiter.acquire(account: "bot", chat: "\(chat)", at: now) == .granted {
                grants.append(now)
                chat += 1
            }
        }
        let achieved = Double(grants.count) / 10
        #expect(achieved >= rate * 0.98, "achieved \(achieved)")
        var windowStart = 0
        for (index, time) in grants.enumerated() {
            while time - grants[windowStart] >= 1 { windowStart += 1 }
            #expect(index - windowStart + 1 <= Int(rate), "window over the limit at \(time)")
            if index - windowStart + 1 > Int(rate) { break }
        }
    }
}
