import Foundation
import Hummingbird
import NIOCore

/// The simulator's own endpoints under `/_/`, for tests, the demo and the benchmarks: what was asked of the
/// platforms, scripted answers, faults, people and a report of every limit violation.
struct ControlRoutes {
    let simulator: PlatformSimulator

    func respond(method: String, path: String, body: [UInt8]) -> Response {
        let input = WireJSON.parse(body)
        let now = simulator.now
        let output: String? = simulator.state.withLock { state in
            switch (method, path) {
            case ("GET", "/_/requests"):
                return "[" + state.requests.map { request in
                    let type = request.contentType.map { WireJSON.string($0).text } ?? "null"
                    return #"{"path":\#(WireJSON.string(request.path).text),"method":"\#(request.method)","body":\#(request.body),"content_type":\#(type)}"#
                }.joined(separator: ",") + "]"
            case ("POST", "/_/script"):
                guard let input, let status = input["status"]?.int else { return nil }
                let recipient = input["match"]?["chat_id"]?.string ?? input["match"]?["psid"]?.string ?? input["match"]?["chat_id"]?.int.map(String.init) ?? ""
                state.scripts.append(.init(recipient: recipient, status: Int(status), body: input["body"] ?? [:], times: Int(input["times"]?.int ?? 1)))
            case ("POST", "/_/posts"):
                guard let title = input?["title"]?.string else { return nil }
                state.website.publish(title: title, summary: input?["summary"]?.string ?? "", now: Date())
            case ("POST", "/_/reset"):
                state.requests.removeAll()
                state.scripts.removeAll()
                state.limits.reset()
                state.counters.removeAll()
                state.sends = SendTally()
            case ("POST", "/_/outage"):
                guard let seconds = input?["seconds"]?.number else { return nil }
                state.faults.outageUntil = now + seconds
                state.faults.outageStatus = Int(input?["status"]?.int ?? 502)
                state.faults.refused = 0
            case ("GET", "/_/outage"):
                return WireJSON.object(["refused": .int(Int64(state.faults.refused))]).text
            case ("POST", "/_/faults"):
                guard let input else { return nil }
                if let latency = input["latency_ms"] {
                    if let range = latency.array?.compactMap(\.number), range.count == 2 {
                        state.latency = .uniform(range[0]...max(range[0], range[1]))
                    } else {
                        state.latency = (latency.number ?? 0) > 0 ? .fixed(milliseconds: latency.number!) : .none
                    }
                }
                if let seconds = input["freeze_seconds"]?.number { state.faults.freezeUntil = now + seconds }
                if let share = input["drop_share"]?.number { state.faults.dropShare = share }
                if let share = input["hang_up_share"]?.number { state.faults.hangUpShare = share }
                if let share = input["error_share"]?.number { state.faults.errorShare = share }
                if let status = input["error_status"]?.int { state.faults.errorStatus = Int(status) }
            case ("POST", "/_/telegram-webhook-forward"):
                state.settings.telegramWebhookForward = input?["url"]?.string
            case ("POST", "/_/settings"):
                guard let input else { return nil }
                if let url = input["messenger_webhook_url"] { state.settings.messengerWebhookURL = url.string }
                if let share = input["read_share"]?.number { state.settings.behaviour.readShare = share }
                if let share = input["click_share"]?.number { state.settings.behaviour.clickShare = share }
                if let share = input["preview_share"]?.number { state.settings.behaviour.previewShare = share }
                if let share = input["stop_share"]?.number { state.settings.behaviour.stopShare = share }
            case ("POST", "/_/updates"):
                for update in input?.array ?? [] { if let object = update.object { state.queueUpdate(object) } }
            case ("GET", "/_/polls"):
                return WireJSON.object(["polls": .int(Int64(state.polls)), "offsets": .array(state.pollOffsets.suffix(50).map { .int($0) })]).text
            case ("POST", "/_/people"):
                guard let input else { return nil }
                var shares = Population.Shares()
                shares.blocked = input["blocked"]?.number ?? shares.blocked
                shares.deactivated = input["deactivated"]?.number ?? shares.deactivated
                shares.neverStarted = input["never_started"]?.number ?? shares.neverStarted
                state.population = Population(
                    telegram: Int(input["telegram"]?.int ?? 0), messenger: Int(input["messenger"]?.int ?? 0),
                    sources: input["sources"]?.array?.compactMap(\.string) ?? [], shares: shares, seed: UInt64(input["seed"]?.int ?? 1)
                )
                state.arrived.removeAll()
                return WireJSON.object(["people": .int(Int64(state.population.people.count))]).text
            case ("GET", "/_/people"):
                return WireJSON.array(state.population.people.map { person in
                    ["network": .string(person.network.rawValue), "id": .string(person.id), "first_name": .string(person.firstName),
                     "last_name": .string(person.lastName), "locale": .string(person.locale), "reachability": .string(person.reachability.rawValue),
                     "source": .string(person.source)]
                }).text
            case ("POST", "/_/arrive"):
                let arrived = PeopleBehaviour.arrive(limit: Int(input?["limit"]?.int ?? .max), over: input?["seconds"]?.number ?? 0, state: &state, now: now)
                return WireJSON.object(["arrived": .int(Int64(arrived))]).text
            case ("POST", "/_/open"):
                // {"url": deep link, "id", "first_name", "last_name"}: a person opens the link and presses Start.
                guard let input, let url = input["url"]?.string else { return nil }
                state.opened += 1
                let telegram = url.contains("t.me/")
                let id = input["id"]?.string ?? String((telegram ? 7_100_000_000 : 7_100_000_000_000_000) + state.opened)
                let person = Person(
                    network: telegram ? .telegram : .messenger, id: id, firstName: input["first_name"]?.string ?? "Visitor", lastName: input["last_name"]?.string ?? "\(state.opened)",
                    locale: "en_GB", timeZone: 0, reachability: .reachable, source: "link"
                )
                guard let opened = PeopleBehaviour.open(link: url, person: person, state: &state, now: now) else { return #"{"error":"not a t.me or m.me link"}"# }
                return WireJSON.object(["network": .string(opened.network.rawValue), "id": .string(opened.id)]).text
            case ("GET", "/_/report"):
                return report(state)
            default:
                return #"{"error":"unknown control endpoint \#(method) \#(path)"}"#
            }
            return #"{"ok":true}"#
        }
        guard let output else {
            return Response(status: .badRequest, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"error":"bad control request"}"#)))
        }
        let status: HTTPResponse.Status = output.hasPrefix(#"{"error""#) ? .notFound : .ok
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: output)))
    }

    private func report(_ state: SimulatorState) -> String {
        let reachability = Dictionary(grouping: state.population.people, by: \.reachability.rawValue).mapValues { WireJSON.int(Int64($0.count)) }
        return WireJSON.object([
            "requests": .int(Int64(state.requests.count)),
            "sends": state.sends.json,
            "counters": .object(state.counters.mapValues { .int(Int64($0)) }),
            "violations": .object(state.limits.violations.mapValues { .int(Int64($0)) }),
            "people": .object(reachability),
            "pending_reactions": .bool(!state.reactions.isEmpty),
            "pending_updates": .int(Int64(state.updates.count)),
            "webhook_url": .string(state.webhookURL),
        ]).text
    }
}
