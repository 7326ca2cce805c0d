/// An account whose platform stopped answering (connection refused, timeouts, a burst of 5xx): instead of
/// every delivery burning an attempt within seconds, one probe at a time goes out, spaced by a growing backoff,
/// and the first real answer ends the outage.
public struct AccountOutage: Sendable, Equatable {
    /// When it started, monotonic seconds.
    public var since: Double
    /// Wall-clock milliseconds of the first failed answer of the run that started it.
    public var failingSince: Int64
    /// The answer that started it (or the last failed probe's).
    public var reason: String
    /// Failed probes so far.
    public var probes = 0
    /// When the next probe may be picked.
    public var probeAt: Double
    /// The delivery out as the probe, if one is.
    public var probing: Int64?

    /// When the next probe may go after `probes` failed ones: doubling from `base` up to `cap`, jittered in
    /// [½, 1) of the step with `random` in [0, 1).
    static func delay(probes: Int, base: Double, cap: Double, random: Double) -> Double {
        var step = base
        for _ in 0..<min(probes, 30) where step < cap { step *= 2 }
        step = min(step, cap)
        return step / 2 + step / 2 * random
    }
}

extension SendOutcome {
    /// The reason, when this answer says the platform itself is unreachable or failing rather than refusing one
    /// request: the signals that start an account outage.
    var outageReason: String? {
        switch self {
        case .retry(let reason, nil), .uncertain(let reason): reason
        default: nil
        }
    }
}

extension DispatchStateMachine {
    /// An answer's bearing on its account's outage: a real answer ends one; an unbroken run of unreachable or
    /// failing answers starts one, returning the deliveries waiting for a slot to pending, unsent; a failed
    /// probe spaces the next one further.
    mutating func noteOutage(_ flight: Flight, _ outcome: SendOutcome, at now: Instant, random: Double) -> [Action] {
        let account = flight.account
        guard let reason = outcome.outageReason else {
            outageStreak[account] = nil
            guard let outage = outages.removeValue(forKey: account) else { return [] }
            // What failed because of the outage need not wait out its backoff: the platform is back.
            return [.accountRecovered(account: account, seconds: now.seconds - outage.since, probes: outage.probes),
                    .retryNow(account: account, failedSince: outage.failingSince)]
        }
        if var outage = outages[account] {
            // A call that was out before the outage began tells nothing new.
            guard outage.probing == flight.delivery.id else { return [] }
            outage.probes += 1
            outage.probing = nil
            outage.reason = reason
            outage.probeAt = now.seconds + AccountOutage.delay(probes: outage.probes, base: settings.outageProbeBase, cap: settings.outageProbeCap, random: random)
            outages[account] = outage
            return []
        }
        let streak = (outageStreak[account]?.count ?? 0) + 1
        let failingSince = outageStreak[account]?.since ?? now.wallMs
        outageStreak[account] = (streak, failingSince)
        guard streak >= settings.outageThreshold else { return [] }
        outageStreak[account] = nil
        let wait = AccountOutage.delay(probes: 0, base: settings.outageProbeBase, cap: settings.outageProbeCap, random: random)
        outages[account] = AccountOutage(since: now.seconds, failingSince: failingSince, reason: reason, probeAt: now.seconds + wait)
        release(account: account, reason: "account outage: \(reason)", next: now.wallMs, at: now)
        return [.accountOutage(account: account, reason: reason, probeIn: wait)]
    }

    /// Whether a delivery of `account` may be picked now: always, except during an outage, when only one
    /// probe at a time may, once its time has come.
    func mayPick(_ account: String, at now: Instant) -> Bool {
        guard let outage = outages[account] else { return true }
        return outage.probing == nil && outage.probeAt <= now.seconds + DispatchStateMachine.epsilon
    }

    /// The shell made the account's deliveries that failed during its outage due now: its campaigns look at
    /// the ledger again (from the start, once their windows are picked empty).
    public mutating func retriesDue(account: String, at now: Instant) {
        for (id, state) in campaigns where state.campaign.account == account {
            campaigns[id]?.exhausted = true
            campaigns[id]?.reloadAt = min(state.reloadAt ?? now.seconds, now.seconds)
        }
    }

    /// A delivery picked as an account's probe went back unsent: the next one may probe.
    mutating func probeDropped(_ id: Int64, account: String) {
        if outages[account]?.probing == id { outages[account]?.probing = nil }
    }
}
