import Foundation
import HeraldModel
import Logging

/// Brings each account's presentation (Messenger greeting and Get Started button through the Messenger Profile
/// API, Telegram descriptions) to what its `automation` job asked, calling only for what changed. Run from the
/// inbound processor's idle passes; remembers failures and Meta's 10 calls per 10 minutes per Page.
struct PresentationSync {
    let store: HeraldStore
    let transport: any HTTPTransport
    let logger: Logger

    /// What the sync remembers between passes.
    struct Memory {
        /// Per account: not before this (a failure's backoff).
        var notBefore: [String: ContinuousClock.Instant] = [:]
        var failures: [String: Int] = [:]
        /// Messenger Profile API calls per account in the last 10 minutes.
        var profileCalls: [String: [ContinuousClock.Instant]] = [:]
    }

    func pass(_ configuration: Configuration, memory: inout Memory, now: Date) async {
        guard let pending = try? await store.presentationsToApply(), !pending.isEmpty else { return }
        let clock = ContinuousClock()
        for (name, wanted, applied) in pending {
            guard let account = configuration.accounts[name], account.token != nil else { continue }
            if let wait = memory.notBefore[name], clock.now < wait { continue }
            guard let desired = try? JSONParser().parse(Array(wanted.utf8)) else { continue }
            let previous = applied.flatMap { try? JSONParser().parse(Array($0.utf8)) }
            let calls = PresentationPlan.calls(platform: account.platform, desired: desired, applied: previous)
            if account.platform == .messenger, !calls.isEmpty {
                let recent = (memory.profileCalls[name] ?? []).filter { $0.duration(to: clock.now) < .seconds(600) }
                guard recent.count < 10 else { continue }
                memory.profileCalls[name] = recent + [clock.now]
            }
            var failure: String?
            for call in calls where failure == nil { failure = await perform(call, account: account) }
            if let failure {
                let count = (memory.failures[name] ?? 0) + 1
                memory.failures[name] = count
                memory.notBefore[name] = clock.now.advanced(by: .seconds(min(3600, 30 << min(count - 1, 7))))
                if count == 1 {
                    logger.warning("cannot set the presentation of \(name): \(failure); retrying with backoff", metadata: ["event": "presentation_error", "account": "\(name)"])
                }
                continue
            }
            memory.failures[name] = nil
            memory.notBefore[name] = nil
            try? await store.presentationApplied(account: name, value: wanted, now: now)
            if !calls.isEmpty {
                logger.notice("presentation of \(name) set (\(calls.map(\.method).joined(separator: ", ")))", metadata: ["event": "presentation_set", "account": "\(name)"])
            }
        }
    }

    /// Makes one call; nil on success, else why not.
    private func perform(_ call: PresentationPlan.Call, account: AccountConfiguration) async -> String? {
        switch account.platform {
        case .telegram:
            if case .failure(let failure) = await TelegramBotAPI(account: account, transport: transport).call(call.method, call.body) { return "\(call.method): \(failure.description)" }
            return nil
        case .messenger:
            guard let token = account.token else { return "no token" }
            let request = HTTPRequest(url: "\(account.apiBaseURL)/\(account.graphVersion)/me/messenger_profile?access_token=\(token.value)", body: Array(JSONValue.object(call.body).jsonText.utf8))
            switch await TransportCall.send(request, on: transport) {
            case .failure(let reason, _): return reason
            case .response(200, _): return nil
            case .response(let status, let body):
                let message = (try? JSONParser().parse(body))?["error"]?["message"]?.stringValue
                return "messenger_profile: HTTP \(status)\(message.map { ": \($0)" } ?? "")"
            }
        }
    }
}
