import Foundation

/// What simulated people do with what they receive, and how they come through growth sources: planned as
/// reactions at realistic delays.
enum PeopleBehaviour {
    static let browser = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
    /// Link-preview fetchers, with the user agents they really send.
    static let previewBots = [
        "TelegramBot (like TwitterBot)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "WhatsApp/2.23.20.0",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    ]

    /// A person on Messenger got a message: Meta echoes it, reports delivery and maybe a read; the person may tap.
    static func received(messenger message: WireJSON, mid: String, psid: String, state: inout SimulatorState, now: Double) {
        let page = state.settings.pageID
        let behaviour = state.settings.behaviour
        let sentMs = Int64(Date().timeIntervalSince1970 * 1000)
        var echo: [String: WireJSON] = ["is_echo": true, "app_id": .int(state.settings.appID), "mid": .string(mid)]
        for key in ["text", "metadata"] { if let value = message[key] { echo[key] = value } }
        state.reactions.add(.messengerEvent(event(from: page, to: psid, ["message": .object(echo)])), at: now + 0.02)
        guard state.population.person(.messenger, psid)?.reachability == .reachable else { return }
        let delivered = now + state.random.uniform(behaviour.delivery)
        state.reactions.add(.messengerEvent(event(from: psid, to: page, ["delivery": ["mids": [.string(mid)], "watermark": .int(sentMs)]])), at: delivered)
        guard state.random.chance(behaviour.readShare) else { return }
        let read = delivered + state.random.uniform(behaviour.read)
        state.reactions.add(.messengerEvent(event(from: psid, to: page, ["read": ["watermark": .int(sentMs + 1)]])), at: read)
        let tapped = read + state.random.uniform(behaviour.click)
        if state.random.chance(behaviour.clickShare), let tap = tap(in: message, random: &state.random) {
            switch tap {
            case .url(let url): follow(url, at: tapped, state: &state)
            case .postback(let title, let payload):
                let postback: WireJSON = ["postback": ["title": .string(title), "payload": .string(payload), "mid": .string("m_pb_\(state.messageID())")]]
                state.reactions.add(.messengerEvent(event(from: psid, to: page, postback.object!)), at: tapped)
            case .quickReply(let title, let payload):
                let reply: WireJSON = ["message": ["mid": .string("m_qr_\(state.messageID())"), "text": .string(title), "quick_reply": ["payload": .string(payload)]]]
                state.reactions.add(.messengerEvent(event(from: psid, to: page, reply.object!)), at: tapped)
            }
        } else if message["metadata"] != nil, state.random.chance(behaviour.stopShare) {
            let stop: WireJSON = ["message": ["mid": .string("m_in_\(state.messageID())"), "text": "STOP"]]
            state.reactions.add(.messengerEvent(event(from: psid, to: page, stop.object!)), at: tapped)
        }
    }

    /// A person on Telegram got a message: Telegram tells the bot nothing, but the person may tap a button.
    static func received(telegram message: WireJSON, by person: Person, state: inout SimulatorState, now: Double) {
        let behaviour = state.settings.behaviour
        let seen = now + state.random.uniform(behaviour.delivery) + state.random.uniform(behaviour.read)
        let buttons = (message["reply_markup"]?["inline_keyboard"]?.array ?? []).flatMap { $0.array ?? [] }
        if !buttons.isEmpty, state.random.chance(behaviour.clickShare) {
            let button = buttons.randomElement(using: &state.random)!
            let tapped = seen + state.random.uniform(behaviour.click)
            if let url = button["url"]?.string {
                follow(url, at: tapped, state: &state)
            } else if let data = button["callback_data"]?.string {
                state.queueUpdateLater([
                    "callback_query": [
                        "id": .string(String(state.messageID() * 7919)), "from": user(person), "chat_instance": .string("-\(person.id)"),
                        "message": ["message_id": message["message_id"] ?? 0, "date": message["date"] ?? 0, "chat": chat(person)], "data": .string(data),
                    ],
                ], at: tapped)
            }
        } else if state.random.chance(behaviour.stopShare) {
            state.queueUpdateLater(["message": ["message_id": .int(state.messageID()), "from": user(person), "chat": chat(person), "date": .int(Int64(Date().timeIntervalSince1970)), "text": "STOP"]], at: seen + 1)
        }
    }

    /// The person opens a link: their browser fetches it, and sometimes they share it and a preview bot fetches it too.
    static func follow(_ url: String, at time: Double, state: inout SimulatorState) {
        state.reactions.add(.fetch(url: url, userAgent: browser, counter: "click"), at: time)
        if state.random.chance(state.settings.behaviour.previewShare) {
            let bot = previewBots.randomElement(using: &state.random)!
            state.reactions.add(.fetch(url: url, userAgent: bot, counter: "preview"), at: time + state.random.uniform(0.05...0.5))
        }
    }

    /// People who have not come yet arrive through their growth source, spread over `seconds`.
    static func arrive(limit: Int, over seconds: Double, state: inout SimulatorState, now: Double) -> Int {
        let waiting = state.population.people.filter { $0.reachability != .neverStarted && !state.arrived.contains("\($0.network):\($0.id)") }.prefix(limit)
        for (index, person) in waiting.enumerated() {
            state.arrived.insert("\(person.network):\(person.id)")
            let at = now + seconds * Double(index) / Double(max(waiting.count, 1))
            switch person.network {
            case .telegram:
                let text = "/start \(person.source)"
                state.queueUpdateLater([
                    "message": [
                        "message_id": .int(state.messageID()), "from": user(person), "chat": chat(person), "date": .int(Int64(Date().timeIntervalSince1970)),
                        "text": .string(text), "entities": [["type": "bot_command", "offset": 0, "length": 6]],
                    ],
                ], at: at)
                if person.reachability == .blocked {
                    state.queueUpdateLater([
                        "my_chat_member": [
                            "chat": chat(person), "from": user(person), "date": .int(Int64(Date().timeIntervalSince1970)),
                            "old_chat_member": ["status": "member", "user": ["id": 123456, "is_bot": true, "first_name": "Shop"]],
                            "new_chat_member": ["status": "kicked", "until_date": 0, "user": ["id": 123456, "is_bot": true, "first_name": "Shop"]],
                        ],
                    ], at: at + 1)
                }
            case .messenger:
                let postback: WireJSON = [
                    "postback": [
                        "title": "Get Started", "payload": "GET_STARTED", "mid": .string("m_gs_\(state.messageID())"),
                        "referral": ["ref": .string(person.source), "source": "SHORTLINK", "type": "OPEN_THREAD"],
                    ],
                ]
                state.reactions.add(.messengerEvent(event(from: person.id, to: state.settings.pageID, postback.object!)), at: at)
            }
        }
        return waiting.count
    }

    /// Someone opens a deep link a website gave them and presses Start / Get Started: `t.me/BOT?start=P` sends
    /// `/start P`; `m.me/PAGE?ref=P` the Get Started postback with the referral. `person` is who (a new person
    /// when not simulated yet, added reachable). Nil when the link is neither.
    static func open(link: String, person given: Person, state: inout SimulatorState, now: Double) -> Person? {
        guard let components = URLComponents(string: link), let host = components.host else { return nil }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }) { first, _ in first }
        switch host {
        case "t.me", "telegram.me":
            var person = given
            person.network = .telegram
            state.population.add(person)
            let text = query["start"].map { "/start " + $0 } ?? "/start"
            state.queueUpdateLater([
                "message": [
                    "message_id": .int(state.messageID()), "from": user(person), "chat": chat(person), "date": .int(Int64(Date().timeIntervalSince1970)),
                    "text": .string(text), "entities": [["type": "bot_command", "offset": 0, "length": 6]],
                ],
            ], at: now)
            return person
        case "m.me":
            var person = given
            person.network = .messenger
            state.population.add(person)
            var postback: [String: WireJSON] = ["title": "Get Started", "payload": "GET_STARTED", "mid": .string("m_gs_\(state.messageID())")]
            if let ref = query["ref"] { postback["referral"] = ["ref": .string(ref), "source": "SHORTLINK", "type": "OPEN_THREAD"] }
            state.reactions.add(.messengerEvent(event(from: person.id, to: state.settings.pageID, ["postback": .object(postback)])), at: now)
            return person
        default:
            return nil
        }
    }

    private enum Tap {
        case url(String)
        case postback(title: String, payload: String)
        case quickReply(title: String, payload: String)
    }

    /// One of the message's buttons, cards' buttons or quick replies, chosen at random.
    private static func tap(in message: WireJSON, random: inout SimulatorRandom) -> Tap? {
        var taps: [Tap] = []
        let payload = message["attachment"]?["payload"]
        let buttons = (payload?["buttons"]?.array ?? []) + (payload?["elements"]?.array ?? []).flatMap { $0["buttons"]?.array ?? [] }
        for button in buttons {
            if let url = button["url"]?.string { taps.append(.url(url)) }
            if let value = button["payload"]?.string, button["type"]?.string == "postback" { taps.append(.postback(title: button["title"]?.string ?? "", payload: value)) }
        }
        for reply in message["quick_replies"]?.array ?? [] {
            if let title = reply["title"]?.string, let value = reply["payload"]?.string { taps.append(.quickReply(title: title, payload: value)) }
        }
        return taps.randomElement(using: &random)
    }

    static func event(from sender: String, to recipient: String, _ body: [String: WireJSON]) -> WireJSON {
        var event = body
        event["sender"] = ["id": .string(sender)]
        event["recipient"] = ["id": .string(recipient)]
        event["timestamp"] = .int(Int64(Date().timeIntervalSince1970 * 1000))
        return .object(event)
    }

    static func user(_ person: Person) -> WireJSON {
        var user: [String: WireJSON] = [
            "id": .int(Int64(person.id) ?? 0), "is_bot": false, "first_name": .string(person.firstName), "last_name": .string(person.lastName),
            "language_code": .string(String(person.locale.prefix(2))),
        ]
        if let username = person.username { user["username"] = .string(username) }
        return .object(user)
    }

    static func chat(_ person: Person) -> WireJSON {
        ["id": .int(Int64(person.id) ?? 0), "type": "private", "first_name": .string(person.firstName)]
    }
}

extension SimulatorState {
    /// A Telegram update that happens at `time`.
    mutating func queueUpdateLater(_ update: [String: WireJSON], at time: Double) {
        reactions.add(.telegramUpdate(update), at: time)
    }
}
