import HeraldModel
import Testing

@Suite struct AnswerTests {
    func telegram(_ status: Int, _ body: String) -> SendOutcome { TelegramAnswer.classify(status: status, body: Array(body.utf8)) }
    func messenger(_ status: Int, _ body: String) -> SendOutcome { MessengerAnswer.classify(status: status, body: Array(body.utf8)) }

    @Test func telegram_answers() {
        #expect(telegram(200, #"{"ok":true,"result":{"message_id":4711,"date":1795600000,"chat":{"id":123,"type":"private"},"text":"hi"}}"#) == .sent(messageID: "4711", reusableMediaID: nil))
        #expect(telegram(200, #"{"ok":true,"result":{"message_id":5,"photo":[{"file_id":"small","width":90},{"file_id":"AgACAgQ-large","width":1280}]}}"#) == .sent(messageID: "5", reusableMediaID: "AgACAgQ-large"))
        #expect(telegram(200, #"{"ok":true,"result":{"message_id":6,"video":{"file_id":"BAACAgQ","duration":3}}}"#) == .sent(messageID: "6", reusableMediaID: "BAACAgQ"))
        // The fast path for plain successes gives way to the full parse for files, and never reads a cut-off reply
        #expect(telegram(200, #"{"ok":true,"result":{"message_id":77,"date":1,"document":{"file_name":"a.pdf","file_id":"BQACAgQ"}}}"#) == .sent(messageID: "77", reusableMediaID: "BQACAgQ"))
        #expect(telegram(200, #"{"ok":true,"result":{"message_id":12"#) == .uncertain(reason: "HTTP 200 with an unreadable body"))
        #expect(telegram(200, #"{"ok":true,"result":{"message_id":,"date":1}}"#) == .uncertain(reason: "HTTP 200 with an unreadable body"))
        #expect(telegram(429, #"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}"#)
            == .rateLimited(scope: .account, retryAfter: 7, reason: "Too Many Requests: retry after 7"))
        #expect(telegram(403, #"{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}"#) == .recipientGone(status: .blocked, reason: "Forbidden: bot was blocked by the user"))
        #expect(telegram(403, #"{"ok":false,"error_code":403,"description":"Forbidden: user is deactivated"}"#) == .recipientGone(status: .deactivated, reason: "Forbidden: user is deactivated"))
        #expect(telegram(403, #"{"ok":false,"error_code":403,"description":"Forbidden: bot can't initiate conversation with a user"}"#) == .recipientGone(status: .neverStarted, reason: "Forbidden: bot can't initiate conversation with a user"))
        #expect(telegram(403, #"{"ok":false,"error_code":403,"description":"Forbidden: bot was kicked from the supergroup chat"}"#) == .recipientGone(status: .blocked, reason: "Forbidden: bot was kicked from the supergroup chat"))
        #expect(telegram(400, #"{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}"#) == .recipientGone(status: .invalid, reason: "Bad Request: chat not found"))
        #expect(telegram(400, #"{"ok":false,"error_code":400,"description":"Bad Request: message is too long"}"#) == .permanent(reason: "Bad Request: message is too long"))
        #expect(telegram(400, #"{"ok":false,"error_code":400,"description":"Bad Request: can't parse entities: Unsupported start tag"}"#) == .permanent(reason: "Bad Request: can't parse entities: Unsupported start tag"))
        #expect(telegram(400, #"{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001234567890}}"#) == .migrated(newChatID: "-1001234567890"))
        #expect(telegram(401, #"{"ok":false,"error_code":401,"description":"Unauthorized"}"#) == .accountBroken(reason: "Unauthorized"))
        #expect(telegram(404, #"{"ok":false,"error_code":404,"description":"Not Found"}"#) == .accountBroken(reason: "Not Found"))
        #expect(telegram(502, "<html>Bad Gateway</html>") == .retry(reason: "HTTP 502 with an unreadable body", after: nil))
        #expect(telegram(500, #"{"ok":false,"error_code":500,"description":"Internal Server Error"}"#) == .retry(reason: "Internal Server Error", after: nil))
    }

    @Test func messenger_answers() {
        #expect(messenger(200, #"{"recipient_id":"1254477777772919","message_id":"m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P"}"#)
            == .sent(messageID: "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P", reusableMediaID: nil))
        #expect(messenger(200, #"{"recipient_id":"1","message_id":"m_1","attachment_id":"1857777774821032"}"#) == .sent(messageID: "m_1", reusableMediaID: "1857777774821032"))
        func error(_ code: Int, _ subcode: Int?, _ message: String = "msg", transient: Bool = false) -> String {
            #"{"error":{"message":""# + message + #"","type":"OAuthException","code":"# + "\(code)" + (subcode.map { #","error_subcode":"# + "\($0)" } ?? "") + (transient ? #","is_transient":true"# : "") + #","fbtrace_id":"AbCdEf"}}"#
        }
        #expect(messenger(500, error(1200, nil, "Temporary send message failure")) == .retry(reason: "(#1200) Temporary send message failure", after: nil))
        #expect(messenger(400, error(4, nil, "(#4) Application request limit reached", transient: true)) == .rateLimited(scope: .account, retryAfter: nil, reason: "(#4) (#4) Application request limit reached"))
        #expect(messenger(400, error(613, nil)) == .rateLimited(scope: .account, retryAfter: nil, reason: "(#613) msg"))
        #expect(messenger(400, error(80006, nil)) == .rateLimited(scope: .account, retryAfter: nil, reason: "(#80006) msg"))
        #expect(messenger(400, error(10, 2018278, "Message sent outside of allowed window")) == .outsideWindow(reason: "(#10/2018278) Message sent outside of allowed window"))
        #expect(messenger(400, error(551, 1545041, "This person isn't available right now.")) == .recipientGone(status: .blocked, reason: "(#551/1545041) This person isn't available right now."))
        #expect(messenger(400, error(100, 2018001, "No matching user found")) == .recipientGone(status: .invalid, reason: "(#100/2018001) No matching user found"))
        #expect(messenger(400, error(100, nil, "Invalid parameter")) == .permanent(reason: "(#100) Invalid parameter"))
        #expect(messenger(400, error(190, 460, "Error validating access token")) == .accountBroken(reason: "(#190/460) Error validating access token"))
        #expect(messenger(400, error(10, 1893063)) == .accountBroken(reason: "(#10/1893063) msg"))
        #expect(messenger(400, error(1, 1357046)) == .uncertain(reason: "(#1/1357046) msg"))
        #expect(messenger(400, error(2, 2018344, "privacy terms not accepted")) == .accountBroken(reason: "(#2/2018344) privacy terms not accepted"))
        #expect(messenger(500, error(2, nil, "Service temporarily unavailable")) == .retry(reason: "(#2) Service temporarily unavailable", after: nil))
        #expect(messenger(503, "Service Unavailable") == .retry(reason: "HTTP 503 with an unreadable body", after: nil))
    }
}
