import HeraldModel
import Testing

/// The inbound decisions, event by event: subscribing with a source, leaving, automated replies and their
/// loop guard, receipts, echoes and clicks.
@Suite struct InboundStateMachineTests {
    typealias Machine = InboundStateMachine
    typealias Action = InboundStateMachine.Action

    static let welcome = MessageContent(modules: [.text(TemplateText(unchecked: "Welcome {{first_name}}"), buttons: [])], quickReplies: [])
    static let goodbye = MessageContent(modules: [.text(TemplateText(unchecked: "Bye"), buttons: [])], quickReplies: [])
    static let fallback = MessageContent(modules: [.text(TemplateText(unchecked: "We'll be in touch"), buttons: [])], quickReplies: [])
    static let prices = MessageContent(modules: [.text(TemplateText(unchecked: "Prices: …"), buttons: [])], quickReplies: [])

    static func machine(_ platform: Platform = .telegram, configure: (inout Automations) -> Void = { _ in }) -> Machine {
        var automations = Automations()
        configure(&automations)
        return Machine(platform: platform, automations: automations)
    }

    static func event(_ kind: InboundEvent.Kind, user: String = "7", at: Int64 = 1_000, profile: Recipient? = nil) -> InboundEvent {
        InboundEvent(userID: user, at: at, key: "k\(at)", profile: profile, kind: kind)
    }

    @Test func startWithAPayload_subscribesANewcomer_withThatSource_andWelcomesThem() {
        var machine = Self.machine { $0.welcome = Self.welcome }
        let zoe = Recipient(platformID: "7", firstName: "Zoë")
        #expect(machine.handle(Self.event(.start(payload: "qr_code"), profile: zoe), now: 5_000) == [
            .touch(userID: "7", at: 1_000, profile: zoe),
            .subscribe(userID: "7", source: "qr_code", profile: zoe, returning: false),
            .send(userID: "7", .welcome, Self.welcome),
        ])
        // Telegram repeats /start for someone who already started: seen again, nothing more.
        #expect(machine.handle(Self.event(.start(payload: "qr_code"), at: 2_000), now: 6_000) == [.touch(userID: "7", at: 2_000, profile: nil)])
    }

    @Test func aSourceWithItsOwnWelcome_getsThatOne_othersTheGeneralOne() {
        let scanned = MessageContent(modules: [.text(TemplateText(unchecked: "Thanks for scanning"), buttons: [])])
        var machine = Self.machine { $0.welcome = Self.welcome; $0.welcomeBySource = ["qr_code": scanned] }
        #expect(machine.handle(Self.event(.start(payload: "qr_code")), now: 1).last == .send(userID: "7", .welcome, scanned))
        #expect(machine.handle(Self.event(.start(payload: "popup_form"), user: "8"), now: 1).last == .send(userID: "8", .welcome, Self.welcome))
    }

    @Test func messengerGetStarted_takesTheReferralAsSource_andAsksForTheProfile() {
        var machine = Self.machine(.messenger)
        #expect(machine.handle(Self.event(.postback(payload: "GET_STARTED", referral: "website_button", callbackID: nil, messageID: nil)), now: 1) == [
            .touch(userID: "7", at: 1_000, profile: nil),
            .subscribe(userID: "7", source: "website_button", profile: nil, returning: false),
            .fetchProfile(userID: "7"),
        ])
        var plain = Self.machine(.messenger)
        #expect(plain.handle(Self.event(.postback(payload: "GET_STARTED", referral: nil, callbackID: nil, messageID: nil)), now: 1).contains(.subscribe(userID: "7", source: "get_started", profile: nil, returning: false)))
    }

    @Test func firstMessage_subscribes_fromFirstMessage() {
        var machine = Self.machine(.messenger)
        #expect(machine.handle(Self.event(.message(text: "hi", quickReplyPayload: nil)), now: 1).contains(.subscribe(userID: "7", source: "first_message", profile: nil, returning: false)))
        #expect(machine.people["7"]?.status == .subscribed)
    }

    @Test func stopKeyword_unsubscribes_withAGoodbye_once() {
        var machine = Self.machine { $0.goodbye = Self.goodbye }
        machine.known("7", .init(status: .subscribed))
        #expect(machine.handle(Self.event(.message(text: "Stop!", quickReplyPayload: nil)), now: 1) == [
            .touch(userID: "7", at: 1_000, profile: nil), .unsubscribe(userID: "7", via: "keyword"), .send(userID: "7", .goodbye, Self.goodbye),
        ])
        #expect(machine.handle(Self.event(.message(text: "STOP", quickReplyPayload: nil), at: 2_000), now: 2) == [
            .touch(userID: "7", at: 2_000, profile: nil), .ignore("unsubscribe from someone not subscribed"),
        ])
    }

    @Test func unsubscribeButtonAndQuickReply() {
        var machine = Self.machine(.messenger)
        machine.known("7", .init(status: .subscribed))
        machine.known("8", .init(status: .subscribed))
        #expect(machine.handle(Self.event(.message(text: "Unsubscribe me", quickReplyPayload: Automations.unsubscribePayload)), now: 1).contains(.unsubscribe(userID: "7", via: "quick_reply")))
        #expect(machine.handle(Self.event(.postback(payload: Automations.unsubscribePayload, referral: nil, callbackID: nil, messageID: nil), user: "8"), now: 1).contains(.unsubscribe(userID: "8", via: "button")))
    }

    @Test func someoneWhoLeft_isOnlySeen_untilTheyStartAgain() {
        var machine = Self.machine { $0.welcome = Self.welcome; $0.defaultReply = .init(message: Self.fallback, minIntervalMinutes: 60) }
        machine.known("7", .init(status: .unsubscribed))
        #expect(machine.handle(Self.event(.message(text: "hello?", quickReplyPayload: nil)), now: 1) == [.touch(userID: "7", at: 1_000, profile: nil)])
        #expect(machine.handle(Self.event(.start(payload: nil)), now: 2) == [
            .touch(userID: "7", at: 1_000, profile: nil), .subscribe(userID: "7", source: "telegram_start", profile: nil, returning: true), .send(userID: "7", .welcome, Self.welcome),
        ])
    }

    @Test func blockedOnTelegram_isRecordedOnce_andUnblockWaitsForStart() {
        var machine = Self.machine()
        machine.known("7", .init(status: .subscribed))
        #expect(machine.handle(Self.event(.blocked), now: 1) == [.block(userID: "7", via: "blocked the bot")])
        #expect(machine.handle(Self.event(.blocked), now: 2) == [.ignore("already blocked or unknown")])
        #expect(machine.handle(Self.event(.unblocked), now: 3) == [.ignore("unblocked; waits for /start")])
        #expect(machine.people["7"]?.status == .blocked)
    }

    @Test func keywordReply_thenDefaultReply_atMostOncePerInterval() {
        var machine = Self.machine {
            $0.keywordReplies = [.init(keywords: ["price", "prezzo"], message: Self.prices)]
            $0.defaultReply = .init(message: Self.fallback, minIntervalMinutes: 10)
        }
        machine.known("7", .init(status: .subscribed))
        let minute: Int64 = 60_000
        func reply(_ text: String, at now: Int64) -> [Action] {
            machine.handle(Self.event(.message(text: text, quickReplyPayload: nil), at: now), now: now).filter { if case .touch = $0 { false } else { true } }
        }
        #expect(reply("What's the PRICE?", at: 0) == [.send(userID: "7", .keyword, Self.prices)])
        #expect(reply("ok thanks", at: 30_000) == [.ignore("automated reply sent 30 s ago")])
        // Any automated reply holds the next default reply back for the default's interval (a keyword's: a minute).
        #expect(reply("ok thanks", at: 9 * minute) == [.ignore("automated reply sent 540 s ago")])
        #expect(reply("ok thanks", at: 10 * minute) == [.send(userID: "7", .defaultReply, Self.fallback)])
        // Another bot answering every reply: at most one default reply per 10 minutes, so no loop.
        for step in 11...19 { #expect(reply("auto: message received", at: Int64(step) * minute).count == 1) }
        #expect(reply("auto: message received", at: 20 * minute) == [.send(userID: "7", .defaultReply, Self.fallback)])
        #expect(reply("price?", at: 20 * minute + 30_000) == [.ignore("automated reply sent 30 s ago")])
        #expect(reply("price?", at: 21 * minute) == [.send(userID: "7", .keyword, Self.prices)])
    }

    @Test func receipts_forKnownPeopleOnly() {
        var machine = Self.machine(.messenger)
        machine.known("7", .init(status: .unsubscribed))
        #expect(machine.handle(Self.event(.read(watermark: 900)), now: 1) == [.watermark(userID: "7", .read, upTo: 900)])
        #expect(machine.handle(Self.event(.delivered(watermark: 800)), now: 1) == [.watermark(userID: "7", .delivered, upTo: 800)])
        #expect(machine.handle(Self.event(.read(watermark: 900), user: "9"), now: 1) == [.ignore("read receipt for an unknown person")])
    }

    @Test func echoes_ofHeraldsOwnMessages_reconcile() {
        var machine = Self.machine(.messenger)
        #expect(machine.handle(Self.event(.echo(mid: "m", metadata: "herald:42:1:3")), now: 1) == [.echo(userID: "7", deliveryID: 42, part: 1, parts: 3)])
        #expect(machine.handle(Self.event(.echo(mid: "m", metadata: "herald:42:1")), now: 1) == [.echo(userID: "7", deliveryID: 42, part: 1, parts: nil)])
        for metadata in [nil, "", "herald:x:1", "herald:42", "herald:0:0", "other:42:1", "herald:42:1:1", "herald:42:1:99", "herald:42:1:3:4"] {
            #expect(machine.handle(Self.event(.echo(mid: "m", metadata: metadata)), now: 1) == [.ignore("echo m of a message Herald did not send")])
        }
    }

    @Test func callbackButtons_areAlwaysAnswered_andCountAsClicks() {
        var machine = Self.machine()
        machine.known("7", .init(status: .subscribed))
        #expect(machine.handle(Self.event(.postback(payload: "MORE", referral: nil, callbackID: "q1", messageID: "55")), now: 1) == [
            .answerCallback(id: "q1"), .touch(userID: "7", at: 1_000, profile: nil), .click(userID: "7", payload: "MORE", messageID: "55"),
        ])
        machine.known("8", .init(status: .blocked))
        #expect(machine.handle(Self.event(.postback(payload: "MORE", referral: nil, callbackID: "q2", messageID: nil), user: "8"), now: 1).first == .answerCallback(id: "q2"))
    }

    @Test func quickReplies_areClicks_notConversation() {
        var machine = Self.machine(.messenger) { $0.defaultReply = .init(message: Self.fallback, minIntervalMinutes: 1) }
        machine.known("7", .init(status: .subscribed))
        #expect(machine.handle(Self.event(.message(text: "Red", quickReplyPayload: "RED")), now: 1) == [
            .touch(userID: "7", at: 1_000, profile: nil), .click(userID: "7", payload: "RED", messageID: nil),
        ])
    }
}

/// A popup form's token in the deep link: the source is the tool's, the token is claimed for newcomers,
/// returning people and people already subscribed alike.
@Suite struct InboundFormTokenTests {
    static let token = OptInToken(randomBytes: Array(repeating: 7, count: 16))

    @Test func aNewcomerWithAToken_subscribesWithTheToolsSource_andClaimsTheForm() {
        var machine = InboundStateMachineTests.machine()
        let actions = machine.handle(InboundStateMachineTests.event(.start(payload: "popup_form--" + Self.token.text)), now: 5_000)
        #expect(actions == [
            .touch(userID: "7", at: 1_000, profile: nil),
            .subscribe(userID: "7", source: "popup_form", profile: nil, returning: false),
            .claimForm(userID: "7", token: Self.token, source: "popup_form"),
        ])
    }

    @Test func someoneAlreadySubscribed_stillClaimsTheirForm_onBothPlatforms() {
        var telegram = InboundStateMachineTests.machine()
        telegram.known("7", .init(status: .subscribed))
        #expect(telegram.handle(InboundStateMachineTests.event(.start(payload: "popup_form--" + Self.token.text)), now: 1) == [
            .touch(userID: "7", at: 1_000, profile: nil), .claimForm(userID: "7", token: Self.token, source: "popup_form"),
        ])
        var messenger = InboundStateMachineTests.machine(.messenger)
        messenger.known("7", .init(status: .subscribed))
        #expect(messenger.handle(InboundStateMachineTests.event(.referral(ref: "popup_form--" + Self.token.text)), now: 1).last == .claimForm(userID: "7", token: Self.token, source: "popup_form"))
        var getStarted = InboundStateMachineTests.machine(.messenger)
        let actions = getStarted.handle(InboundStateMachineTests.event(.postback(payload: "GET_STARTED", referral: "popup_form--" + Self.token.text, callbackID: nil, messageID: nil)), now: 1)
        #expect(actions.contains(.subscribe(userID: "7", source: "popup_form", profile: nil, returning: false)))
        #expect(actions.last == .claimForm(userID: "7", token: Self.token, source: "popup_form"))
    }

    @Test func aPayloadWithoutAWellFormedToken_isOnlyASource() {
        var machine = InboundStateMachineTests.machine()
        let actions = machine.handle(InboundStateMachineTests.event(.start(payload: "popup_form--short")), now: 1)
        #expect(actions.contains(.subscribe(userID: "7", source: "popup_form--short", profile: nil, returning: false)))
        #expect(!actions.contains { if case .claimForm = $0 { true } else { false } })
    }
}
