import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import ServiceLifecycle
import Testing
@testable import HeraldSimulator

/// The simulator in this process, on a free loopback port, with plain HTTP calls against it.
struct PlatformSimulatorTests {
    static func withSimulator(_ adjust: (inout SimulatorSettings) -> Void = { _ in }, _ body: (PlatformSimulator, String) async throws -> Void) async throws {
        var settings = SimulatorSettings()
        adjust(&settings)
        var logger = Logger(label: "sim-test")
        logger.logLevel = .critical
        let simulator = PlatformSimulator(settings: settings, port: 0, logger: logger)
        let group = ServiceGroup(services: [simulator], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let deadline = ContinuousClock.now.advanced(by: .seconds(10))
            while simulator.port == nil && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            defer { tasks.cancelAll() }
            try await body(simulator, simulator.baseURL!)
            await group.triggerGracefulShutdown()
        }
    }

    static func post(_ url: String, _ body: String) async throws -> (status: Int, body: WireJSON?) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(body.utf8)
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as! HTTPURLResponse).statusCode, WireJSON.parse(Array(data)))
    }

    @Test func botAPI_whenOverThirtyPerSecond_answers429WithRetryAfter_andCountsTheViolation() {
        // Given a bot that sent to 30 chats within the second (time passed in, as the limiter takes it)
        var settings = SimulatorSettings()
        settings.enforceLimits = true
        var state = SimulatorState(settings: settings)
        for chat in 1...30 {
            guard case .json(200, _) = BotAPI.handle(method: "sendMessage", body: ["chat_id": .int(Int64(chat)), "text": "hi"], state: &state, now: 10 + Double(chat) / 100) else {
                Issue.record("send \(chat) was refused")
                return
            }
        }
        // When a 31st goes before the first leaves the window, Then Telegram's 429 with retry_after, counted
        guard case .json(429, let body) = BotAPI.handle(method: "sendMessage", body: ["chat_id": 99, "text": "hi"], state: &state, now: 10.9) else {
            Issue.record("the 31st send in a second was accepted")
            return
        }
        #expect(body["parameters"]?["retry_after"]?.int == 1)
        #expect(state.limits.violations["telegram_bot"] == 1)
        // And a second later there is room again
        guard case .json(200, _) = BotAPI.handle(method: "sendMessage", body: ["chat_id": 100, "text": "hi"], state: &state, now: 11.5) else {
            Issue.record("a send after the window was refused")
            return
        }
    }

    @Test func botAPI_secondMessageToOneChatWithinASecond_isAViolation_countedEvenWhenNotEnforced() {
        var state = SimulatorState(settings: SimulatorSettings())
        _ = BotAPI.handle(method: "sendMessage", body: ["chat_id": 42, "text": "one"], state: &state, now: 1.0)
        guard case .json(200, _) = BotAPI.handle(method: "sendMessage", body: ["chat_id": 42, "text": "two"], state: &state, now: 1.5) else {
            Issue.record("not enforcing, yet refused")
            return
        }
        _ = BotAPI.handle(method: "sendMessage", body: ["chat_id": 42, "text": "three"], state: &state, now: 2.6)
        #expect(state.limits.violations == ["telegram_chat": 1])
    }

    @Test func apis_refuseWrongCredentials_withThePlatformsBodies() async throws {
        try await Self.withSimulator { _, base in
            let telegram = try await Self.post("\(base)/bot999:WRONG/sendMessage", #"{"chat_id": 1, "text": "hi"}"#)
            #expect(telegram.status == 401)
            #expect(telegram.body?["description"]?.string == "Unauthorized")
            let graph = try await Self.post("\(base)/v25.0/me/messages?access_token=nope", #"{"recipient": {"id": "1"}, "messaging_type": "UPDATE", "message": {"text": "hi"}}"#)
            #expect(graph.status == 400)
            #expect(graph.body?["error"]?["code"]?.int == 190)
        }
    }

    @Test func sends_toPeopleWhoCannotBeReached_failAsThePlatformsSay() async throws {
        try await Self.withSimulator { simulator, base in
            // Given one person of each kind on each platform
            var population = Population()
            for (index, reachability) in [Person.Reachability.blocked, .deactivated, .neverStarted].enumerated() {
                population.add(Person(network: .telegram, id: "\(index + 1)", firstName: "T", lastName: "P", locale: "en_GB", timeZone: 0, reachability: reachability, source: "qr_code"))
                population.add(Person(network: .messenger, id: "\(index + 11)", firstName: "M", lastName: "P", locale: "en_GB", timeZone: 0, reachability: reachability, source: "qr_code"))
            }
            simulator.populate(population)
            // Then Telegram answers 403 with its three descriptions
            var descriptions: [String] = []
            for chat in 1...3 {
                let answer = try await Self.post("\(base)/bot123456:TEST-token/sendMessage", #"{"chat_id": \#(chat), "text": "hi"}"#)
                #expect(answer.status == 403)
                descriptions.append(answer.body?["description"]?.string ?? "")
            }
            #expect(descriptions == ["Forbidden: bot was blocked by the user", "Forbidden: user is deactivated", "Forbidden: bot can't initiate conversation with a user"])
            // And Messenger answers 551, 200 / 1545041 and the window error 10 / 2018278
            var codes: [[Int64?]] = []
            for psid in 11...13 {
                let answer = try await Self.post("\(base)/v25.0/me/messages?access_token=EAAG-test-page-token", #"{"recipient": {"id": "\#(psid)"}, "messaging_type": "UPDATE", "message": {"text": "hi"}}"#)
                codes.append([answer.body?["error"]?["code"]?.int, answer.body?["error"]?["error_subcode"]?.int])
            }
            #expect(codes == [[551, 1_545_041], [200, 1_545_041], [10, 2_018_278]])
        }
    }

    @Test func sendAPI_checksLengthsInUTF16Units_andTemplates() async throws {
        try await Self.withSimulator { _, base in
            let url = "\(base)/v25.0/me/messages?access_token=EAAG-test-page-token"
            // 20 UTF-16 units fit in a quick-reply title, 21 do not (an emoji is two)
            let fits = try await Self.post(url, #"{"recipient": {"id": "5"}, "messaging_type": "UPDATE", "message": {"text": "hi", "quick_replies": [{"content_type": "text", "title": "😀😀😀😀😀😀😀😀😀😀", "payload": "p"}]}}"#)
            #expect(fits.status == 200)
            let over = try await Self.post(url, #"{"recipient": {"id": "5"}, "messaging_type": "UPDATE", "message": {"text": "hi", "quick_replies": [{"content_type": "text", "title": "😀😀😀😀😀😀😀😀😀😀a", "payload": "p"}]}}"#)
            #expect(over.status == 400)
            // A button template with four buttons is refused
            let buttons = Array(repeating: #"{"type": "postback", "title": "B", "payload": "p"}"#, count: 4).joined(separator: ",")
            let template = try await Self.post(url, #"{"recipient": {"id": "5"}, "messaging_type": "UPDATE", "message": {"attachment": {"type": "template", "payload": {"template_type": "button", "text": "t", "buttons": [\#(buttons)]}}}}"#)
            #expect(template.status == 400)
            #expect(template.body?["error"]?["message"]?.string?.contains("1 to 3 buttons") == true)
        }
    }

    /// `dropShare`: the answer dies after its head; `hangUpShare`: the connection closes before any of it.
    @Test(arguments: [\SimulatorState.Faults.dropShare, \SimulatorState.Faults.hangUpShare])
    func requests_whenAFaultShareIsOne_areActedOnButNeverAnswered(fault: WritableKeyPath<SimulatorState.Faults, Double> & Sendable) async throws {
        try await Self.withSimulator { simulator, base in
            simulator.state.withLock { $0.faults[keyPath: fault] = 1 }
            await #expect(throws: (any Error).self) {
                _ = try await Self.post("\(base)/bot123456:TEST-token/sendMessage", #"{"chat_id": 7, "text": "hi"}"#)
            }
            // The platform acted on it: the send is counted
            #expect(simulator.counters["telegram_sent"] == 1)
            // The fault is per call: the simulator answers again once it is off
            simulator.state.withLock { $0.faults[keyPath: fault] = 0 }
            let answer = try await Self.post("\(base)/bot123456:TEST-token/sendMessage", #"{"chat_id": 7, "text": "again"}"#)
            #expect(answer.status == 200)
        }
    }

    @Test func requests_duringAFreeze_hangUntilItEnds_thenGoOn() async throws {
        try await Self.withSimulator { simulator, base in
            let now = simulator.now
            simulator.state.withLock { $0.faults.freezeUntil = now + 0.5 }
            let started = ContinuousClock.now
            let answer = try await Self.post("\(base)/bot123456:TEST-token/sendMessage", #"{"chat_id": 8, "text": "hi"}"#)
            #expect(ContinuousClock.now - started >= .milliseconds(450))
            #expect(answer.status == 200)
        }
    }

    @Test func metaJSON_escapesAsMetaSigns() {
        #expect(MetaJSON.escaped(#"{"text":"Café 😀 a/b"}"#) == #"{"text":"Caf\u00e9 \ud83d\ude00 a\/b"}"#)
    }
}
