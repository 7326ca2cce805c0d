/// Hierarchical rate limits: a send is granted only when every scope it belongs to allows it, and then
/// counts against all of them at once. A 429 pauses just the scope that hit it.
///
/// Pure and synchronous: time is passed in (seconds on a monotonic clock) and the dispatcher acts on the answers.
public struct RateLimiter: Sendable {
    /// An account's limits.
    public struct AccountLimits: Sendable, Equatable {
        public var platform: Platform
        public var rate: Double
        /// Messenger audio/video per Page.
        public var heavyMediaRate: Double = 10
        /// Telegram per private chat.
        public var chatRate: Double = 1
        /// Telegram per group: 20 per minute.
        public var groupRate: Double = 20.0 / 60

        public init(platform: Platform, rate: Double) {
            self.platform = platform
            self.rate = rate
        }
    }

    /// The limiter's answer.
    public enum Decision: Sendable, Equatable {
        /// Send now; the slot is taken.
        case granted
        /// Ask again at this time; nothing was taken.
        case wait(until: Double)
    }

    /// Grants run at this share of each configured rate: platforms count arrivals, and arrival times jitter
    /// around send times, so sending at exactly the limit would sometimes cross it.
    public static let headroom = 0.983

    private var accounts: [String: AccountLimits]
    private var cells: [RateScope: GCRA] = [:]
    private var jobRates: [String: Double] = [:]
    private var pausedUntil: [RateScope: Double] = [:]

    public init(accounts: [String: AccountLimits]) { self.accounts = accounts }

    /// Replaces the account limits (configuration reload); existing state is kept.
    public mutating func update(accounts: [String: AccountLimits]) {
        for (name, limits) in accounts where self.accounts[name] != limits {
            cells[.account(name)] = nil
            cells[.heavyMedia(name)] = nil
        }
        self.accounts = accounts
    }

    /// Sets a job's own rate (its `options.rate`).
    public mutating func setJobRate(_ job: String, rate: Double?) {
        jobRates[job] = rate
        cells[.job(job)] = nil
    }

    /// The scopes one send belongs to, without an array (this runs for every send): the account's, its chat's or
    /// its heavy media's, its job's.
    private func scopeSet(account: String, chat: String, heavyMedia: Bool, job: String?) -> (RateScope?, RateScope?, RateScope?) {
        guard let limits = accounts[account] else { return (.account(account), nil, nil) }
        var second: RateScope?
        switch limits.platform {
        case .telegram: second = chatScope(account: account, chat: chat)
        case .messenger: if heavyMedia { second = .heavyMedia(account) }
        }
        return (.account(account), second, job.flatMap { jobRates[$0] != nil ? .job($0) : nil })
    }

    /// A Telegram chat's scope: negative ids and @names are groups, supergroups and channels.
    private func chatScope(account: String, chat: String) -> RateScope {
        let first = chat.utf8.first
        return first == UInt8(ascii: "-") || first == UInt8(ascii: "@") ? .group(account: account, chat: chat) : .chat(account: account, chat: chat)
    }

    /// The latest of `now` and what each scope allows (its pause, its cell), and the cells found on the way.
    private func earliest(_ scopes: (RateScope?, RateScope?, RateScope?), at now: Double) -> (Double, (GCRA?, GCRA?, GCRA?)) {
        var earliest = now
        func look(_ scope: RateScope?) -> GCRA? {
            guard let scope else { return nil }
            if !pausedUntil.isEmpty, let paused = pausedUntil[scope], paused > now { earliest = max(earliest, paused) }
            let cell = cells[scope]
            if let cell { earliest = max(earliest, cell.earliest(at: now)) }
            return cell
        }
        let found = (look(scopes.0), look(scopes.1), look(scopes.2))
        return (earliest, found)
    }

    /// Takes a slot at `time` in every scope (a scope seen for the first time gets its cell).
    private mutating func consume(_ scopes: (RateScope?, RateScope?, RateScope?), _ found: (GCRA?, GCRA?, GCRA?), at time: Double, start: Double) {
        func take(_ scope: RateScope?, _ existing: GCRA?) {
            guard let scope else { return }
            var cell = existing ?? makeCell(scope, start: start)
            cell.consume(at: time)
            cells[scope] = cell
        }
        take(scopes.0, found.0)
        take(scopes.1, found.1)
        take(scopes.2, found.2)
    }

    /// Grants a send now if every scope allows it, or says when to ask again.
    public mutating func acquire(account: String, chat: String, heavyMedia: Bool = false, job: String? = nil, at now: Double) -> Decision {
        let scopes = scopeSet(account: account, chat: chat, heavyMedia: heavyMedia, job: job)
        // Pauses that ended are dropped.
        for scope in [scopes.0, scopes.1, scopes.2] {
            if let scope, let paused = pausedUntil[scope], paused <= now { pausedUntil[scope] = nil }
        }
        let (earliest, found) = earliest(scopes, at: now)
        guard earliest <= now else { return .wait(until: earliest) }
        consume(scopes, found, at: now, start: now)
        return .granted
    }

    /// Reserves the earliest time at or after `now` that every scope allows, and takes the slot there; the caller
    /// sends at that time, not before. Reserving ahead of the send lets the slow part (writing `sending`) happen
    /// before the slot, so the spacing the platform sees is the limiter's, not the database's.
    public mutating func reserve(account: String, chat: String, heavyMedia: Bool = false, job: String? = nil, at now: Double) -> Double {
        reserve(account: account, chat: chat, heavyMedia: heavyMedia, job: job, at: now, notAfter: .infinity).slot
    }

    /// Reserves as `reserve` does when the earliest slot comes no later than `latest`, and takes nothing otherwise:
    /// the earliest slot, and whether it was taken.
    public mutating func reserve(account: String, chat: String, heavyMedia: Bool = false, job: String? = nil, at now: Double, notAfter latest: Double) -> (slot: Double, taken: Bool) {
        let scopes = scopeSet(account: account, chat: chat, heavyMedia: heavyMedia, job: job)
        let (earliest, found) = earliest(scopes, at: now)
        guard earliest <= latest else { return (earliest, false) }
        consume(scopes, found, at: earliest, start: now)
        return (earliest, true)
    }

    /// Records that a call to a chat has completed: its next call is spaced from the answer, not from the grant,
    /// so however late the first request arrived, the next cannot arrive within the chat's interval.
    public mutating func completed(account: String, chat: String, at time: Double) {
        // Only Telegram accounts have chat cells: for others the lookup finds nothing. Changed in place, one lookup.
        cells[chatScope(account: account, chat: chat)]?.space(after: time)
    }

    /// Pauses one scope (after a 429) until `until`.
    public mutating func pause(_ scope: RateScope, until: Double) {
        pausedUntil[scope] = max(pausedUntil[scope] ?? 0, until)
    }

    /// When a scope's pause ends, if it is paused.
    public func pausedUntil(_ scope: RateScope) -> Double? { pausedUntil[scope] }

    /// Drops idle per-chat state so memory follows the active chats, not every chat ever seen.
    public mutating func prune(at now: Double) {
        cells = cells.filter { scope, cell in
            switch scope {
            case .chat, .group: !cell.isIdle(at: now)
            default: true
            }
        }
        pausedUntil = pausedUntil.filter { $0.value > now }
    }

    /// How many keys hold state (for tests and metrics).
    public var trackedKeys: Int { cells.count }

    private func makeCell(_ scope: RateScope, start: Double) -> GCRA {
        let rate: Double = switch scope {
        case .account(let name): accounts[name]?.rate ?? 1
        case .heavyMedia(let name): accounts[name]?.heavyMediaRate ?? 10
        case .chat(let account, _): accounts[account]?.chatRate ?? 1
        case .group(let account, _): accounts[account]?.groupRate ?? 1.0 / 3
        case .job(let job): jobRates[job] ?? 1
        }
        switch scope {
        case .chat, .group:
            return GCRA(rate: rate * RateLimiter.headroom, start: start)
        default:
            // The dispatcher asks on a 5 ms tick; a tolerance of up to 10 ms lets each tick spend what accrued since the
            // last one, and with the headroom a one-second window holds at most 1 + 0.983 × 1.01 × rate sends, which leaves
            // room for the jitter between when requests leave and when the platform counts them.
            return GCRA(rate: rate * RateLimiter.headroom, burst: Int(rate * RateLimiter.burstWindow) + 1, start: start)
        }
    }

    /// How much traffic an account may send at once, in seconds of its rate.
    public static let burstWindow = 0.01
}
