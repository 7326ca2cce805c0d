import Foundation

/// Everything the simulated platforms remember, changed only under the simulator's lock.
struct SimulatorState: Sendable {
    /// One API request as it arrived.
    struct Recorded: Sendable {
        var path: String
        var method: String
        /// The JSON body as sent (`{}` for a GET).
        var body: String
        var contentType: String?
    }

    /// A canned answer for the next calls to one recipient (`status` 0: act, then drop the connection).
    struct Script: Sendable {
        var recipient: String
        var status: Int
        var body: WireJSON
        var times: Int
    }

    /// Faults on demand.
    struct Faults: Sendable {
        var outageUntil = 0.0
        var outageStatus = 502
        var refused = 0
        var freezeUntil = 0.0
        /// Share of calls acted on whose connection then dies mid-answer (after its head).
        var dropShare = 0.0
        /// Share of calls acted on whose connection then closes before any of the answer.
        var hangUpShare = 0.0
        /// Share of calls refused with `errorStatus` before they are acted on.
        var errorShare = 0.0
        var errorStatus = 500
    }

    var settings: SimulatorSettings
    var random: SimulatorRandom
    var requests: [Recorded] = []
    var scripts: [Script] = []
    var limits = RateWindows()
    var faults = Faults()
    var population = Population()
    var nextMessageID: Int64 = 1000
    var nextUpdateID: Int64 = 1
    var updates: [WireJSON] = []
    var polls = 0
    var pollOffsets: [Int64] = []
    var webhookURL = ""
    var webhookSecret: String?
    var allowedUpdates: WireJSON?
    var descriptions: [String: String] = [:]
    var messengerProfile: [String: WireJSON] = [:]
    var reactions = ReactionQueue()
    /// Counts by outcome: `telegram_sent`, `messenger_sent`, `delivery`, `read`, `click`, `preview`, … .
    var counters: [String: Int] = [:]
    /// Sends accepted and refused for a limit, and when the first and last accepted ones arrived.
    var sends = SendTally()
    /// People who have already come through their growth source.
    var arrived: Set<String> = []
    /// People who opened a link through `/_/open`, for their ids.
    var opened: Int64 = 0
    /// The shop's website, with the blog feed Herald polls.
    var website = SimulatedWebsite(now: Date())

    init(settings: SimulatorSettings) {
        self.settings = settings
        self.random = SimulatorRandom(seed: settings.seed)
        self.latency = settings.latency
    }

    var latency: LatencyDistribution

    mutating func messageID() -> Int64 {
        nextMessageID += 1
        return nextMessageID
    }

    mutating func count(_ key: String, by amount: Int = 1) {
        counters[key, default: 0] += amount
    }

    /// Queues a Telegram update for `getUpdates` (or the webhook), numbering it.
    mutating func queueUpdate(_ update: [String: WireJSON]) {
        var update = update
        if update["update_id"] == nil {
            update["update_id"] = .int(nextUpdateID)
            nextUpdateID += 1
        } else if let id = update["update_id"]?.int {
            nextUpdateID = max(nextUpdateID, id + 1)
        }
        updates.append(.object(update))
    }

    /// The scripted answer for a recipient, if one is left.
    mutating func scripted(for recipient: String) -> Script? {
        guard let index = scripts.firstIndex(where: { $0.recipient == recipient && $0.times > 0 }) else { return nil }
        scripts[index].times -= 1
        return scripts[index]
    }
}

/// Sends accepted and refused for a limit, with the arrival span of the accepted ones: what a rate is measured on.
struct SendTally: Sendable {
    var accepted = 0
    var rejected = 0
    var first: Double?
    var last: Double?

    mutating func accepted(at now: Double) {
        accepted += 1
        first = first ?? now
        last = now
    }

    var json: WireJSON {
        ["accepted": .int(Int64(accepted)), "rejected": .int(Int64(rejected)), "first": first.map(WireJSON.double) ?? .null, "last": last.map(WireJSON.double) ?? .null]
    }
}
