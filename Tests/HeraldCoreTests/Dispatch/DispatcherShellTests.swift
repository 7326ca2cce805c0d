import Foundation
import HeraldCore
import HeraldModel
import HeraldTesting
import Logging
import Testing

/// The dispatcher shell on its seams: an in-memory store, a fake transport and a manual clock. No spool, no
/// server, no waiting for real time: the rate limit is paced by the clock the test moves.
@Suite struct DispatcherShellTests {
    @Test func message_leavesAtOnce_andTheNextWaitsForTheInjectedClock() async throws {
        let store = try HeraldStore.inMemory()
        var configuration = Configuration.embeddedDefaults(environment: [:])
        configuration.accounts["shop_bot"]?.token = Secret(value: "1:fake", origin: "test")
        configuration.accounts["shop_bot"]?.rate = 10
        let wakeup = Wakeup()
        let transport = FakeTransport()
        let clock = ManualClock()
        let log = CapturedLog()
        let logger = log.logger(level: .debug)
        let dispatcher = Dispatcher(
            store: store, settings: ConfigurationHolder(configuration, wakeup: wakeup), transport: transport, status: DaemonStatus(),
            logger: logger, clock: clock, wakeup: wakeup, random: { 0.5 }
        )
        _ = try InMemoryStoreTests.accept(store, #"{"type": "message", "id": "m", "account": "shop_bot", "to": ["1", "2"], "message": {"modules": [{"type": "text", "text": "Hi"}]}}"#, "r1")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await dispatcher.run() }
            // The first call goes without the clock moving at all
            do {
                // Long: beside the full suite, tests that block cooperative threads can hold this one's tasks back for seconds.
                try await eventually(timeout: 45, "the first call") { transport.requests.count == 1 }
            } catch {
                // What the loop was doing when it stalled, for the record (this has failed rarely, only in the full suite).
                Issue.record("stalled: \(clock.sleepers) sleepers, \(transport.requests.count) calls, job \(String(describing: try? store.jobStatus(id: JobID(unchecked: "m")))), log: \(log.all.map { "\($0.level) \($0.event ?? "-") \($0.message)" })")
                throw error
            }
            try await eventually(timeout: 45, "its result recorded") { try store.jobStatus(id: JobID(unchecked: "m"))?.deliveries["sent"] == 1 }
            // The second is 100 ms away at 10/s: with the loop asleep on the clock, it waits however long we do
            try await eventually(timeout: 45, "the loop asleep on the clock") { clock.sleepers > 0 }
            #expect(transport.requests.count == 1)
            clock.advance(by: .milliseconds(60))
            try await eventually(timeout: 45, "the loop asleep again") { clock.sleepers > 0 }
            #expect(transport.requests.count == 1)
            clock.advance(by: .milliseconds(60))
            try await eventually(timeout: 45, "the second call") { transport.requests.count == 2 }
            try await eventually(timeout: 45, "both recorded") { try store.jobStatus(id: JobID(unchecked: "m"))?.deliveries["sent"] == 2 }
            group.cancelAll()
        }
        #expect(transport.requests.allSatisfy { $0.url.hasSuffix("/bot1:fake/sendMessage") })
    }
}
