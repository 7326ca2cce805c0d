/// The control jobs' transitions (pause, resume, cancel) as a pure function of the campaign's state.
public enum CampaignControl {
    /// Why a control cannot apply, with the code intake reports.
    public enum Refusal: Error, Sendable, Equatable {
        case alreadyFinished(CampaignState)
        case alreadyPaused
        case notPaused(CampaignState)
        /// A retry of a campaign that was cancelled, expired or failed as a whole: it is over, by choice or by time.
        case notRetryable(CampaignState)
        /// A retry after the campaign's `expires_at`: what is put back would only be skipped as expired.
        case pastExpiry

        public var code: String {
            switch self {
            case .alreadyFinished: "already_finished"
            case .alreadyPaused: "already_paused"
            case .notPaused: "not_paused"
            case .notRetryable: "not_retryable"
            case .pastExpiry: "expired"
            }
        }
    }

    /// What applying a control does.
    public struct Transition: Sendable, Equatable {
        public var campaign: CampaignState
        public var job: JobState
        /// Pending deliveries are skipped with reason `cancelled`.
        public var skipsPending: Bool
        /// The campaign's `finished_at` is set.
        public var finishes: Bool

        public init(campaign: CampaignState, job: JobState, skipsPending: Bool, finishes: Bool) {
            self.campaign = campaign
            self.job = job
            self.skipsPending = skipsPending
            self.finishes = finishes
        }
    }

    /// What a retry does to a campaign whose failed deliveries are put back: a completed one runs again (nil: a
    /// running, scheduled or paused one stays as it is and sends them in its course), or why it cannot be retried.
    public static func retry(_ state: CampaignState, expiresAt: Int64?, now: Int64) -> Result<Transition?, Refusal> {
        if let expiresAt, expiresAt <= now { return .failure(.pastExpiry) }
        switch state {
        case .completed:
            return .success(Transition(campaign: .scheduled, job: .queued, skipsPending: false, finishes: false))
        case .scheduled, .running, .paused:
            return .success(nil)
        case .cancelled, .expired, .failed:
            return .failure(.notRetryable(state))
        }
    }

    /// The next state for `action` on a campaign in `state`, or why it is refused. A resumed campaign goes back
    /// to `scheduled`: the next pass starts it again (its `send_at` has passed) with its ledger as it was.
    public static func apply(_ action: ControlJob.Action, to state: CampaignState) -> Result<Transition, Refusal> {
        if state.isFinished { return .failure(.alreadyFinished(state)) }
        switch (action, state) {
        case (.cancel, _):
            return .success(Transition(campaign: .cancelled, job: .cancelled, skipsPending: true, finishes: true))
        case (.pause, .paused):
            return .failure(.alreadyPaused)
        case (.pause, _):
            return .success(Transition(campaign: .paused, job: .paused, skipsPending: false, finishes: false))
        case (.resume, .paused):
            return .success(Transition(campaign: .scheduled, job: .queued, skipsPending: false, finishes: false))
        case (.resume, _):
            return .failure(.notPaused(state))
        }
    }
}
