import Foundation

/// In-process control of the simulator, for `herald demo` (tests in another process use `/_/…`).
extension PlatformSimulator {
    /// Replaces the simulated people.
    public func populate(_ population: Population) {
        state.withLock { state in
            state.population = population
            state.arrived.removeAll()
        }
    }

    /// People who have not come yet arrive through their growth sources, spread over `seconds`; how many.
    @discardableResult
    public func arrive(over seconds: Double) -> Int {
        let now = self.now
        defer { ringBells() }
        return state.withLock { PeopleBehaviour.arrive(limit: .max, over: seconds, state: &$0, now: now) }
    }

    /// A new person opens a deep link a website gave them and presses Start / Get Started; nil when the link is
    /// neither a t.me nor an m.me one.
    @discardableResult
    public func open(link: String, firstName: String) -> Person? {
        let now = self.now
        defer { ringBells() }
        return state.withLock { state in
            state.opened += 1
            let telegram = link.contains("t.me/")
            let person = Person(
                network: telegram ? .telegram : .messenger, id: String((telegram ? 7_100_000_000 : 7_100_000_000_000_000) + state.opened), firstName: firstName,
                lastName: "Visitor", locale: "en_GB", timeZone: 0, reachability: .reachable, source: "link"
            )
            return PeopleBehaviour.open(link: link, person: person, state: &state, now: now)
        }
    }

    /// Counts by outcome (`telegram_sent`, `messenger_sent`, `click`, `preview`, `webhook_events`, …).
    public var counters: [String: Int] { state.withLock { $0.counters } }

    /// Calls over a platform limit, by kind (`telegram_bot`, `telegram_chat`, `messenger_page`, …).
    public var violations: [String: Int] { state.withLock { $0.limits.violations } }

    /// Whether people still have something to do (receipts, taps, updates not yet fetched).
    public var isBusy: Bool { state.withLock { !$0.reactions.isEmpty || !$0.updates.isEmpty } }

    /// The people of the population.
    public var people: [Person] { state.withLock { $0.population.people } }

    /// Adds a post to the shop's blog (its feed is `/site/blog.xml`).
    public func publishPost(title: String, summary: String) {
        let now = Date()
        state.withLock { $0.website.publish(title: title, summary: summary, now: now) }
    }
}
