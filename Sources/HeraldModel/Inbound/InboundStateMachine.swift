/// Decides what each inbound event of one account means: who subscribes (and from which source), who leaves,
/// which automated message answers, which deliveries were delivered or read, what was clicked. No I/O: the
/// shell loads the people an event batch names (`known`), feeds the events in order and runs the actions.
///
/// Deduplication is the shell's (it must commit with the effects); everything here is idempotent anyway
/// where the platforms repeat themselves (`/start` twice, a watermark again).
public struct InboundStateMachine: Sendable {
    /// What the machine knows of one person.
    public struct Person: Sendable, Equatable {
        public var status: SubscriberStatus
        /// When an automated reply (keyword or default) last went to them, Unix ms: the loop guard.
        public var lastAutoReplyAt: Int64?

        public init(status: SubscriberStatus, lastAutoReplyAt: Int64? = nil) {
            self.status = status
            self.lastAutoReplyAt = lastAutoReplyAt
        }
    }

    /// The automated message an action sends.
    public enum Automated: String, Sendable, Equatable {
        case welcome, goodbye, keyword
        case defaultReply = "default_reply"
    }

    public enum Action: Sendable, Equatable {
        /// Creates the subscriber (or resubscribes them) with the growth source that brought them.
        case subscribe(userID: String, source: String, profile: Recipient?, returning: Bool)
        case unsubscribe(userID: String, via: String)
        case block(userID: String, via: String)
        /// They wrote or tapped: `last_inbound_at` (Messenger's 24-hour window) and any profile fields sent along.
        case touch(userID: String, at: Int64, profile: Recipient?)
        /// Queue an automated message through the sending core.
        case send(userID: String, Automated, MessageContent)
        /// Every delivery sent to them at or before `upTo` (platform ms) is delivered / read.
        case watermark(userID: String, EventKind, upTo: Int64)
        /// Meta echoed part `part` (of `parts`, when the metadata says) of delivery `deliveryID`: it was sent,
        /// whatever the ledger thought.
        case echo(userID: String, deliveryID: Int64, part: Int, parts: Int?)
        /// A postback, quick-reply or callback button: a click the platform vouches for.
        case click(userID: String, payload: String, messageID: String?)
        /// Telegram shows a spinner until a callback query is answered, whatever Herald makes of it.
        case answerCallback(id: String)
        /// Ask the Messenger User Profile API for their name.
        case fetchProfile(userID: String)
        /// They came through a popup form's link: its one-time token claims the form's fields for them (once,
        /// before it expires; otherwise they are subscribed all the same, without the fields).
        case claimForm(userID: String, token: OptInToken, source: String)
        /// Nothing to do; why, for the log at debug level.
        case ignore(String)
    }

    public let platform: Platform
    public var automations: Automations
    public private(set) var people: [String: Person] = [:]

    public init(platform: Platform, automations: Automations) {
        self.platform = platform
        self.automations = automations
    }

    /// What the ledger says of a person named by the coming events (unknown people are simply not given).
    public mutating func known(_ userID: String, _ person: Person) { people[userID] = person }

    public mutating func handle(_ event: InboundEvent, now: Int64) -> [Action] {
        let user = event.userID
        var actions: [Action] = []
        switch event.kind {
        case .ignored(let what):
            return [.ignore(what)]
        case .delivered(let watermark):
            return people[user] == nil ? [.ignore("delivery receipt for an unknown person")] : [.watermark(userID: user, .delivered, upTo: watermark)]
        case .read(let watermark):
            return people[user] == nil ? [.ignore("read receipt for an unknown person")] : [.watermark(userID: user, .read, upTo: watermark)]
        case .echo(let mid, let metadata):
            guard let metadata, let (delivery, part, parts) = InboundStateMachine.heraldMetadata(metadata) else {
                return [.ignore("echo \(mid) of a message Herald did not send")]
            }
            return [.echo(userID: user, deliveryID: delivery, part: part, parts: parts)]
        case .blocked:
            guard let person = people[user], person.status != .blocked else { return [.ignore("already blocked or unknown")] }
            people[user]?.status = .blocked
            return [.block(userID: user, via: "blocked the bot")]
        case .unblocked:
            // Unblocking is not subscribing: Telegram's Restart button sends /start, which does.
            return [.ignore("unblocked; waits for /start")]
        case .start(let payload):
            actions += arrive(event, payload: payload, otherwise: "telegram_start", explicit: true)
        case .optin(let ref):
            actions += arrive(event, payload: ref, otherwise: "optin", explicit: true)
        case .referral(let ref):
            // An m.me link opened in an existing thread: a first contact subscribes, a returning one is only seen.
            actions += arrive(event, payload: ref, otherwise: "m.me", explicit: false)
        case .postback(let payload, let referral, let callbackID, let messageID):
            if let callbackID { actions.append(.answerCallback(id: callbackID)) }
            if payload == Automations.unsubscribePayload {
                actions += touch(event)
                actions += leave(user, via: "button")
            } else if callbackID == nil, payload == automations.getStartedPayload || referral != nil {
                actions += arrive(event, payload: referral, otherwise: "get_started", explicit: true)
            } else {
                actions += begin(event, source: "first_message", explicit: false)
                actions.append(.click(userID: user, payload: payload, messageID: messageID))
            }
        case .message(let text, let quickReply):
            if let quickReply {
                actions += touch(event)
                if quickReply == Automations.unsubscribePayload {
                    actions += leave(user, via: "quick_reply")
                } else {
                    actions.append(.click(userID: user, payload: quickReply, messageID: nil))
                }
                return actions
            }
            if let text, automations.unsubscribe.matches(text) {
                actions += touch(event)
                actions += leave(user, via: "keyword")
                return actions
            }
            actions += begin(event, source: "first_message", explicit: false)
            if let text, people[user]?.status == .subscribed, !actions.contains(where: { if case .send = $0 { true } else { false } }) {
                actions += reply(to: user, text: text, now: now)
            }
        }
        return actions
    }

    /// Someone came through a deep link: the source is its payload's, and a form's token in it is claimed
    /// whether they are new, returning or already subscribed.
    private mutating func arrive(_ event: InboundEvent, payload: String?, otherwise: String, explicit: Bool) -> [Action] {
        let (source, token) = payload.map(GrowthLink.split) ?? (otherwise, nil)
        var actions = begin(event, source: source, explicit: explicit)
        if let token { actions.append(.claimForm(userID: event.userID, token: token, source: source)) }
        return actions
    }

    /// A first contact subscribes (with a welcome); an explicit start resubscribes someone who left; anyone
    /// else is only seen.
    private mutating func begin(_ event: InboundEvent, source: String, explicit: Bool) -> [Action] {
        let user = event.userID
        var actions = touch(event)
        switch people[user]?.status {
        case nil:
            actions.append(.subscribe(userID: user, source: source, profile: event.profile, returning: false))
        case .subscribed?:
            return actions
        case .some:
            guard explicit else { return actions }
            actions.append(.subscribe(userID: user, source: source, profile: event.profile, returning: true))
        }
        people[user] = Person(status: .subscribed, lastAutoReplyAt: people[user]?.lastAutoReplyAt)
        if platform == .messenger { actions.append(.fetchProfile(userID: user)) }
        if let welcome = automations.welcomeBySource[source] ?? automations.welcome { actions.append(.send(userID: user, .welcome, welcome)) }
        return actions
    }

    private func touch(_ event: InboundEvent) -> [Action] {
        [.touch(userID: event.userID, at: event.at, profile: event.profile)]
    }

    private mutating func leave(_ user: String, via: String) -> [Action] {
        guard people[user]?.status == .subscribed else { return [.ignore("unsubscribe from someone not subscribed")] }
        people[user]?.status = .unsubscribed
        var actions: [Action] = [.unsubscribe(userID: user, via: via)]
        // The goodbye goes out even though they left: the sending core lets an automated goodbye through.
        if let goodbye = automations.goodbye { actions.append(.send(userID: user, .goodbye, goodbye)) }
        return actions
    }

    /// A keyword reply, or else the default reply; either at most once per the default reply's interval (a
    /// minute when there is none), so that two bots answering each other can never loop.
    private mutating func reply(to user: String, text: String, now: Int64) -> [Action] {
        let match = automations.keywordReply(for: text)
        guard match != nil || automations.defaultReply != nil else { return [] }
        let interval = Int64(match == nil ? automations.defaultReply!.minIntervalMinutes * 60_000 : 60_000)
        if let last = people[user]?.lastAutoReplyAt, now - last < interval { return [.ignore("automated reply sent \((now - last) / 1000) s ago")] }
        people[user]?.lastAutoReplyAt = now
        if let match { return [.send(userID: user, .keyword, match.message)] }
        return [.send(userID: user, .defaultReply, automations.defaultReply!.message)]
    }

    /// Herald's Messenger `metadata`: `herald:<delivery id>:<part>:<parts>`, or without the count as written
    /// before it was added.
    static func heraldMetadata(_ text: String) -> (Int64, Int, Int?)? {
        let fields = text.split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 3 || fields.count == 4, fields[0] == "herald", let delivery = Int64(fields[1]), let part = Int(fields[2]), delivery > 0, part >= 0 else { return nil }
        guard fields.count == 4 else { return (delivery, part, nil) }
        guard let parts = Int(fields[3]), parts > part, parts <= MessageContent.maxModules + 1 else { return nil }
        return (delivery, part, parts)
    }
}
