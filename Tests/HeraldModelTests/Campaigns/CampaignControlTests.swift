import HeraldModel
import Testing

@Suite struct CampaignControlTests {
    @Test func cancel_ofAnUnfinishedCampaign_cancelsAndSkipsWhatIsPending() throws {
        for state in [CampaignState.scheduled, .running, .paused] {
            let transition = try CampaignControl.apply(.cancel, to: state).get()
            #expect(transition == CampaignControl.Transition(campaign: .cancelled, job: .cancelled, skipsPending: true, finishes: true), "\(state)")
        }
    }

    @Test func pause_ofAScheduledOrRunningCampaign_pausesAndKeepsItsLedger() throws {
        for state in [CampaignState.scheduled, .running] {
            let transition = try CampaignControl.apply(.pause, to: state).get()
            #expect(transition == CampaignControl.Transition(campaign: .paused, job: .paused, skipsPending: false, finishes: false), "\(state)")
        }
        #expect(CampaignControl.apply(.pause, to: .paused) == .failure(.alreadyPaused))
    }

    @Test func resume_ofAPausedCampaign_schedulesItAgain_andOfAnythingElseIsRefused() throws {
        #expect(try CampaignControl.apply(.resume, to: .paused).get().campaign == .scheduled)
        #expect(try CampaignControl.apply(.resume, to: .paused).get().job == .queued)
        #expect(CampaignControl.apply(.resume, to: .running) == .failure(.notPaused(.running)))
        #expect(CampaignControl.apply(.resume, to: .scheduled) == .failure(.notPaused(.scheduled)))
    }

    @Test func everyControl_ofAFinishedCampaign_isRefusedNamingItsState() {
        // Failed and expired campaigns are finished too: pausing one must not bring it back to life.
        for state in CampaignState.allCases where state.isFinished {
            for action in [ControlJob.Action.cancel, .pause, .resume] {
                let result = CampaignControl.apply(action, to: state)
                #expect(result == .failure(.alreadyFinished(state)), "\(action) of \(state)")
                if case .failure(let refusal) = result { #expect(refusal.code == "already_finished") }
            }
        }
        #expect(Set(CampaignState.allCases.filter(\.isFinished)) == [.completed, .cancelled, .failed, .expired])
    }

    @Test func retry_runsACompletedCampaignAgain_leavesAnUnfinishedOneAsItIs_andRefusesTheRest() throws {
        let now: Int64 = 1_800_000_000_000
        #expect(try CampaignControl.retry(.completed, expiresAt: nil, now: now).get() == CampaignControl.Transition(campaign: .scheduled, job: .queued, skipsPending: false, finishes: false))
        for state in [CampaignState.scheduled, .running, .paused] {
            #expect(try CampaignControl.retry(state, expiresAt: now + 1, now: now).get() == nil, "\(state)")
        }
        for state in [CampaignState.cancelled, .expired, .failed] {
            #expect(CampaignControl.retry(state, expiresAt: nil, now: now) == .failure(.notRetryable(state)))
        }
        // Past its expiry whatever is put back would only be skipped as expired: refused, completed or not
        #expect(CampaignControl.retry(.completed, expiresAt: now, now: now) == .failure(.pastExpiry))
        #expect(CampaignControl.retry(.running, expiresAt: now - 1, now: now) == .failure(.pastExpiry))
        #expect(CampaignControl.Refusal.pastExpiry.code == "expired")
        #expect(CampaignControl.Refusal.notRetryable(.cancelled).code == "not_retryable")
    }

    @Test func jobState_mirrorsEveryCampaignState_andAgreesOnWhatIsFinished() {
        for state in CampaignState.allCases {
            #expect(JobState(campaign: state).isFinished == state.isFinished, "\(state)")
        }
        #expect(JobState(campaign: .scheduled) == .queued)
    }
}
