import HeraldModel
import Testing

/// Telegram `Update` objects as the Bot API documents them (PLATFORMS.md §2.5–2.6).
@Suite struct TelegramUpdateTests {
    static func parse(_ text: String) throws -> InboundEvent { try TelegramUpdate.event(Array(text.utf8)) }

    static let from = #""from":{"id":777,"is_bot":false,"first_name":"Zoë","last_name":"Ng","username":"zoe","language_code":"it"}"#
    static let chat = #""chat":{"id":777,"first_name":"Zoë","type":"private"}"#

    @Test func startWithAPayload_isADeepLink_withTheSendersProfile() throws {
        let event = try Self.parse(#"{"update_id":10,"message":{"message_id":1,\#(Self.from),\#(Self.chat),"date":1700000000,"text":"/start qr_code","entities":[{"offset":0,"length":6,"type":"bot_command"}]}}"#)
        #expect(event.kind == .start(payload: "qr_code"))
        #expect(event.key == "u:10")
        #expect(event.userID == "777")
        #expect(event.at == 1_700_000_000_000)
        #expect(event.profile == Recipient(platformID: "777", firstName: "Zoë", lastName: "Ng", username: "zoe", locale: "it"))
    }

    @Test func startForms() throws {
        for (text, kind) in [
            ("/start", InboundEvent.Kind.start(payload: nil)), ("/start@shop_bot website_button", .start(payload: "website_button")),
            ("/starting", .message(text: "/starting", quickReplyPayload: nil)), ("hello /start", .message(text: "hello /start", quickReplyPayload: nil)),
        ] {
            let event = try Self.parse(#"{"update_id":1,"message":{"message_id":1,\#(Self.from),\#(Self.chat),"date":1,"text":"\#(text)"}}"#)
            #expect(event.kind == kind, "\(text)")
        }
    }

    @Test func callbackQuery_carriesItsIdAndMessage() throws {
        let event = try Self.parse(#"{"update_id":11,"callback_query":{"id":"4382bfdwdsb323b2d9",\#(Self.from),"message":{"message_id":55,\#(Self.chat),"date":1700000001,"text":"Sale"},"chat_instance":"-1","data":"MORE_INFO"}}"#)
        #expect(event.kind == .postback(payload: "MORE_INFO", referral: nil, callbackID: "4382bfdwdsb323b2d9", messageID: "55"))
        #expect(event.userID == "777")
    }

    @Test func myChatMember_kickedIsABlock_memberAnUnblock_groupsIgnored() throws {
        func member(_ status: String, type: String = "private") throws -> InboundEvent.Kind {
            try Self.parse(#"{"update_id":12,"my_chat_member":{"chat":{"id":777,"type":"\#(type)"},\#(Self.from),"date":1700000002,"old_chat_member":{"status":"member","user":{"id":1,"is_bot":true,"first_name":"b"}},"new_chat_member":{"status":"\#(status)","user":{"id":1,"is_bot":true,"first_name":"b"},"until_date":0}}}"#).kind
        }
        #expect(try member("kicked") == .blocked)
        #expect(try member("member") == .unblocked)
        #expect(try member("kicked", type: "group") == .ignored("my_chat_member"))
    }

    @Test func groupMessages_editsAndUnknownUpdates_areIgnored_butKeyed() throws {
        let group = try Self.parse(#"{"update_id":13,"message":{"message_id":1,\#(Self.from),"chat":{"id":-100123,"type":"supergroup","title":"g"},"date":1,"text":"/start"}}"#)
        #expect(group.kind == .ignored("group message"))
        #expect(try Self.parse(#"{"update_id":14,"edited_message":{}}"#).kind == .ignored("edited_message"))
        #expect(try Self.parse(#"{"update_id":15,"business_message":{}}"#) == InboundEvent(userID: "", at: 0, key: "u:15", kind: .ignored("unknown")))
    }

    @Test func hostileUpdates_areRefused() {
        for body in ["", "{", "[]", #"{"update_id":"x"}"#, #"{"message":{}}"#, String(repeating: "{\"a\":", count: 50_000)] {
            #expect(throws: InboundParseError.self) { try Self.parse(body) }
        }
    }
}
