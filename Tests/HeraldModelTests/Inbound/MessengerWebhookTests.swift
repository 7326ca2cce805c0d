import HeraldModel
import Testing

/// Messenger webhook bodies, shaped as Meta's webhook reference shows them (PLATFORMS.md §1.6).
@Suite struct MessengerWebhookTests {
    static func parse(_ text: String) throws -> [InboundEvent] { try MessengerWebhook.events(Array(text.utf8)) }

    @Test func batchedPost_everyEntryAndEveryEventInOrder() throws {
        let events = try Self.parse("""
            {"object":"page","entry":[
              {"id":"111","time":1458692752478,"messaging":[
                {"sender":{"id":"2001"},"recipient":{"id":"111"},"timestamp":1458692752478,"message":{"mid":"m_a","text":"hello"}},
                {"sender":{"id":"2001"},"recipient":{"id":"111"},"timestamp":1458692752480,"read":{"watermark":1458668856253}}]},
              {"id":"222","time":1458692752500,"messaging":[
                {"sender":{"id":"3001"},"recipient":{"id":"222"},"timestamp":1458692752500,"delivery":{"mids":["m_x"],"watermark":1458668856000}},
                {"sender":{"id":"3001"},"recipient":{"id":"222"},"timestamp":1458692752501,"postback":{"mid":"m_p","title":"Get Started","payload":"GET_STARTED","referral":{"ref":"qr_code","source":"SHORTLINK","type":"OPEN_THREAD"}}}]}
            ]}
            """)
        #expect(events.map(\.pageID) == ["111", "111", "222", "222"])
        #expect(events[0] == InboundEvent(pageID: "111", userID: "2001", at: 1458692752478, key: "m:m_a", kind: .message(text: "hello", quickReplyPayload: nil)))
        #expect(events[1].kind == .read(watermark: 1458668856253))
        #expect(events[2].kind == .delivered(watermark: 1458668856000))
        #expect(events[3].kind == .postback(payload: "GET_STARTED", referral: "qr_code", callbackID: nil, messageID: nil))
        #expect(events[3].key == "m:m_p")
    }

    @Test func echo_isAttributedToTheRecipient_withItsMetadata() throws {
        let events = try Self.parse("""
            {"object":"page","entry":[{"id":"111","time":1,"messaging":[
              {"sender":{"id":"111"},"recipient":{"id":"2001"},"timestamp":1700000000000,
               "message":{"is_echo":true,"app_id":1517776481860111,"metadata":"herald:42:1","mid":"m_echo","text":"Hi"}}]}]}
            """)
        #expect(events == [InboundEvent(pageID: "111", userID: "2001", at: 1700000000000, key: "m:m_echo", kind: .echo(mid: "m_echo", metadata: "herald:42:1"))])
    }

    @Test func quickReply_referral_optin_andUnknownEvents() throws {
        let events = try Self.parse("""
            {"object":"page","entry":[{"id":"111","time":1,"messaging":[
              {"sender":{"id":"5"},"recipient":{"id":"111"},"timestamp":10,"message":{"mid":"m1","text":"Red","quick_reply":{"payload":"COLOR_RED"}}},
              {"sender":{"id":"5"},"recipient":{"id":"111"},"timestamp":11,"referral":{"ref":"website_button","source":"SHORTLINK","type":"OPEN_THREAD"}},
              {"sender":{"id":"5"},"recipient":{"id":"111"},"timestamp":12,"optin":{"ref":"popup_form"}},
              {"sender":{"id":"5"},"recipient":{"id":"111"},"timestamp":13,"reaction":{"mid":"m1","action":"react","emoji":"❤"}},
              {"sender":{"id":"5"},"recipient":{"id":"111"},"timestamp":14,"something_new":{}}]}]}
            """)
        #expect(events.map(\.kind) == [
            .message(text: "Red", quickReplyPayload: "COLOR_RED"), .referral(ref: "website_button"), .optin(ref: "popup_form"),
            .ignored("reaction"), .ignored("unknown"),
        ])
        #expect(Set(events.map(\.key)).count == 5)
    }

    @Test func standbyEvents_andEventsWithoutASenderOrTime_areSkipped() throws {
        let events = try Self.parse("""
            {"object":"page","entry":[{"id":"111","time":1,"standby":[{"sender":{"id":"5"},"recipient":{"id":"111"},"timestamp":1,"message":{"mid":"s","text":"x"}}],
              "messaging":[{"recipient":{"id":"111"},"timestamp":1,"optin":{"ref":"r","user_ref":"abc"}},{"sender":{"id":"5"},"message":{"mid":"t"}}]}]}
            """)
        #expect(events.isEmpty)
    }

    @Test func hostileBodies_areRefusedWithAReason() {
        for (body, reason) in [
            ("", "not JSON"), ("{\"object\":\"page\",\"entry\":[", "not JSON"), ("[]", "\"object\" must be \"page\""),
            ("{\"object\":\"user\",\"entry\":[]}", "\"object\" must be \"page\""), ("{\"object\":\"page\"}", "\"entry\" must be an array"),
            (String(repeating: "[", count: 100_000), "not JSON"),
        ] {
            #expect {
                try Self.parse(body)
            } throws: { error in
                (error as? InboundParseError)?.message.contains(reason) == true
            }
        }
    }

    @Test func redelivery_repeatsTheSameKeys() throws {
        let body = #"{"object":"page","entry":[{"id":"1","time":1,"messaging":[{"sender":{"id":"5"},"recipient":{"id":"1"},"timestamp":9,"read":{"watermark":8}}]}]}"#
        #expect(try Self.parse(body).map(\.key) == Self.parse(body).map(\.key))
    }
}
