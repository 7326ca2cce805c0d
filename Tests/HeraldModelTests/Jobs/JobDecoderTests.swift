import Foundation
import HeraldModel
import Testing

/// Decoding with the accounts the examples use, at a fixed "now".
let exampleAccounts = AccountDirectory(["shop_bot": .telegram, "shop_page": .messenger])
let fixedNow = Date(timeIntervalSince1970: 1_795_600_000)  // 2026-11-25

func decode(_ text: String) throws(JobValidationError) -> Job {
    try JobDecoder(accounts: exampleAccounts, now: fixedNow).decode(Array(text.utf8))
}

/// The rejection a job text gets, as "path: message (code)", or "accepted".
func rejection(_ text: String) -> String {
    do {
        _ = try decode(text)
        return "accepted"
    } catch {
        return "\(error.path): \(error.message) (\(error.code))"
    }
}

let examplesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("spool/examples")

@Suite struct JobDecoderTests {
    @Test func examples_everyJobTypeHasAValidExample() throws {
        // Given every example in spool/examples
        let files = try FileManager.default.contentsOfDirectory(atPath: examplesDirectory.path).filter { $0.hasSuffix(".json") }
        var kinds = Set<Job.Kind>()
        for file in files {
            let data = try Data(contentsOf: examplesDirectory.appendingPathComponent(file))
            // When decoded, then each is valid
            let job = try JobDecoder(accounts: exampleAccounts, now: fixedNow).decode(Array(data))
            kinds.insert(job.kind)
        }
        // And together they cover every type of schema v1
        #expect(kinds == Set(Job.Kind.allCases))
    }

    @Test func campaign_decodesEveryField() throws {
        let job = try decode(#"""
        {"type": "campaign", "id": "c-1", "account": "shop_page", "name": "N",
         "audience": {"tags": {"include": ["a"], "exclude": ["b"]}},
         "message": {"modules": [{"type": "text", "text": "Hi {{first_name}}", "buttons": [{"type": "postback", "title": "Yes", "payload": "Y"}]}],
                     "quick_replies": [{"title": "More", "payload": "M"}]},
         "send_at": "2026-12-01T09:00:00+01:00",
         "options": {"messaging_type": "MESSAGE_TAG", "tag": "ACCOUNT_UPDATE", "notification": "no_push", "tracking": false, "rate": 10}}
        """#)
        guard case .campaign(let campaign) = job.body else { Issue.record("not a campaign"); return }
        #expect(job.id?.rawValue == "c-1")
        #expect(campaign.platform == .messenger)
        #expect(campaign.audience == .tags(include: ["a"], exclude: ["b"]))
        #expect(campaign.message.quickReplies.count == 1)
        #expect(campaign.sendAt?.date == Date(timeIntervalSince1970: 1_796_112_000))
        #expect(campaign.options.messagingType == .messageTag)
        #expect(campaign.options.tag == "ACCOUNT_UPDATE")
        #expect(campaign.options.notification == .noPush)
        #expect(campaign.options.tracking == false)
        #expect(campaign.options.rate == 10)
    }

    @Test func sendAt_localTimeInZone_resolvesWithDaylightSaving() throws {
        // 09:00 in Rome is 08:00 UTC in winter and 07:00 UTC in summer
        let winter = try decode(campaign(sendAt: #"{"local": "2026-12-01T09:00", "zone": "Europe/Rome"}"#))
        let summer = try decode(campaign(sendAt: #"{"local": "2027-07-01T09:00", "zone": "Europe/Rome"}"#))
        guard case .campaign(let w) = winter.body, case .campaign(let s) = summer.body else { return }
        #expect(w.sendAt?.date == ISO8601DateFormatter().date(from: "2026-12-01T08:00:00Z"))
        #expect(s.sendAt?.date == ISO8601DateFormatter().date(from: "2027-07-01T07:00:00Z"))
        #expect(w.sendAt?.zone == "Europe/Rome")
    }

    @Test func titleTemplate_withAFallbackLongerThanTheLimit_isCheckedAsRendered() throws {
        // 73 characters of source, "friend" (6) or a name cut to fit when rendered: within Messenger's 20
        let title = "{{#first_name}}{{first_name}}{{/first_name}}{{^first_name}}friend{{/first_name}}, see"
        let job = try decode(campaign(account: "shop_page", modules: #"[{"type": "text", "text": "x", "buttons": [{"type": "postback", "title": ""# + title + #"", "payload": "Y"}]}]"#))
        guard case .campaign(let spec) = job.body, case .text(_, let buttons) = spec.message.modules[0] else { Issue.record("expected a text module, got \(job)"); return }
        #expect(buttons[0].title.source == title)
    }

    @Test func expiresAt_isKeptOnCampaignsAndMessages() throws {
        let job = try decode(campaign(sendAt: #""2026-11-28T09:00:00Z", "expires_at": {"local": "2026-11-30T23:59", "zone": "Europe/Rome"}"#))
        guard case .campaign(let spec) = job.body else { Issue.record("not a campaign"); return }
        #expect(spec.expiresAt?.date == Date(timeIntervalSince1970: 1_796_079_540))
        let message = try decode(#"{"type": "message", "account": "shop_bot", "to": ["1"], "message": {"modules": [{"type": "text", "text": "Code 1234"}]}, "expires_at": "2026-11-25T10:00:00Z"}"#)
        guard case .message(let body) = message.body else { Issue.record("not a message"); return }
        #expect(body.expiresAt != nil)
    }

    @Test func testCopy_isADraftOfKindTest_toExistingSubscribersByID() throws {
        let job = try decode(#"{"type": "message", "account": "shop_bot", "to": ["7", "8"], "message": {"modules": [{"type": "text", "text": "x"}]}, "test": true}"#)
        let draft = try #require(CampaignDraft(job))
        #expect(draft.kind == .test && draft.kind.priority == 0)
        #expect(draft.audience == .subscribers(["7", "8"]))
        let plain = try #require(CampaignDraft(try decode(#"{"type": "message", "account": "shop_bot", "to": ["7"], "message": {"modules": [{"type": "text", "text": "x"}]}}"#)))
        #expect(plain.kind == .message)
    }

    @Test func retry_namesACampaign_aTime_orBoth() throws {
        #expect(try decode(#"{"type": "retry", "job": "spring"}"#).body == .retry(RetryJob(target: JobID(validating: "spring"), failedSince: nil)))
        let since = try decode(#"{"type": "retry", "failed_since": "2026-11-24T09:00:00+01:00"}"#)
        #expect(since.body == .retry(RetryJob(target: nil, failedSince: Date(timeIntervalSince1970: 1_795_507_200))))  // 2026-11-24T08:00:00Z
        #expect(since.kind == .retry && since.account == nil)
    }

    @Test func decode_jobWithoutID_hasNoID() throws {
        #expect(try decode(#"{"type": "pause", "job": "x"}"#).id == nil)
    }

    /// One hostile or mistaken job per line: what it is, the text, and what the rejection must say.
    static let hostile: [(String, String, String)] = [
        ("empty object", "{}", "type: is required (missing_field)"),
        ("array at top", "[]", "must be a JSON object, not an array"),
        ("string at top", "\"campaign\"", "must be a JSON object, not a string"),
        ("unknown type", #"{"type": "campain"}"#, #"did you mean "campaign""#),
        ("type not a string", #"{"type": 5}"#, "type: must be a string, not a number"),
        ("unknown field", campaign(extra: #""audiance": {"all": true},"#), #"unknown field "audiance" (did you mean "audience"?)"#),
        ("misspelt required field", #"{"type": "campaign", "account": "shop_bot", "audiance": {"all": true}, "message": {"modules": [{"type": "text", "text": "x"}]}}"#, #"audience: is required (found "audiance""#),
        ("unknown account", campaign(account: "shop_bt"), #"unknown account "shop_bt""#),
        ("wrong type for audience", campaign(audience: "\"all\""), "audience: must be an object, not a string"),
        ("two audiences", campaign(audience: #"{"all": true, "subscribers": ["1"]}"#), "use only one of"),
        ("all false", campaign(audience: #"{"all": false}"#), "audience.all: must be true"),
        ("empty modules", campaign(modules: "[]"), "message.modules: must not be empty"),
        ("too many modules", campaign(modules: "[" + Array(repeating: #"{"type": "text", "text": "x"}"#, count: 11).joined(separator: ",") + "]"), "has 11 entries; the limit is 10"),
        ("unknown module type", campaign(modules: #"[{"type": "gif", "url": "https://a.example/x.gif"}]"#), #""gif" is not one of"#),
        ("http media", campaign(modules: #"[{"type": "image", "url": "http://a.example/x.jpg"}]"#), "message.modules[0].url: must be an https URL"),
        ("javascript url", campaign(modules: #"[{"type": "text", "text": "x", "buttons": [{"type": "url", "title": "Go", "url": "javascript:alert(1)"}]}]"#), #"not a "javascript" URL"#),
        ("data url", campaign(modules: #"[{"type": "image", "url": "data:image/png;base64,AAAA"}]"#), #"not a "data" URL"#),
        ("file url", campaign(modules: #"[{"type": "file", "url": "file:///etc/passwd"}]"#), #"not a "file" URL"#),
        ("credentials in url", campaign(modules: #"[{"type": "image", "url": "https://user:pw@a.example/x.jpg"}]"#), "must not contain credentials"),
        ("relative url", campaign(modules: #"[{"type": "image", "url": "/img/x.jpg"}]"#), "must be an https URL"),
        ("space in url", campaign(modules: #"[{"type": "image", "url": "https://a.example/x y.jpg"}]"#), "without spaces"),
        ("url without host", campaign(modules: #"[{"type": "image", "url": "https:///x.jpg"}]"#), "must name a host"),
        ("bad port", campaign(modules: #"[{"type": "image", "url": "https://a.example:99999/x.jpg"}]"#), "invalid port"),
        ("telegram text too long", campaign(modules: #"[{"type": "text", "text": ""# + String(repeating: "a", count: 4097) + #""}]"#), "is 4097 characters long; the limit is 4096"),
        ("messenger text too long", campaign(account: "shop_page", modules: #"[{"type": "text", "text": ""# + String(repeating: "é", count: 2001) + #""}]"#), "the limit is 2000"),
        ("messenger button text too long", campaign(account: "shop_page", modules: #"[{"type": "text", "text": ""# + String(repeating: "a", count: 641) + #"", "buttons": [{"type": "postback", "title": "Y", "payload": "Y"}]}]"#), "the limit is 640"),
        ("caption too long", campaign(modules: #"[{"type": "image", "url": "https://a.example/x.jpg", "caption": ""# + String(repeating: "a", count: 1025) + #""}]"#), "the limit is 1024"),
        ("button title too long", campaign(account: "shop_page", modules: #"[{"type": "text", "text": "x", "buttons": [{"type": "postback", "title": "This title is far too long", "payload": "Y"}]}]"#), "buttons[0].title: is 26 characters long; the limit is 20"),
        ("template title too long without personalisation", campaign(account: "shop_page", modules: #"[{"type": "text", "text": "x", "buttons": [{"type": "postback", "title": "Dear valued customer {{first_name}}", "payload": "Y"}]}]"#), "buttons[0].title: is 21 characters long without personalisation; the limit is 20"),
        ("template title empty without profile data", campaign(account: "shop_page", modules: #"[{"type": "text", "text": "x", "buttons": [{"type": "postback", "title": "{{first_name}}", "payload": "Y"}]}]"#), "is empty for a subscriber without that profile data; give it a fallback"),
        ("template source over its cap", campaign(account: "shop_page", modules: #"[{"type": "text", "text": "x", "buttons": [{"type": "postback", "title": "Hi {{first_name}}"# + String(repeating: "{{! note }}", count: 100) + #"", "payload": "Y"}]}]"#), "is 1117 characters long; the limit is 1024"),
        ("four messenger buttons", campaign(account: "shop_page", modules: #"[{"type": "text", "text": "x", "buttons": ["# + Array(repeating: #"{"type": "postback", "title": "B", "payload": "P"}"#, count: 4).joined(separator: ",") + "]}]"), "has 4 entries; the limit is 3"),
        ("callback data over 64 bytes", campaign(modules: #"[{"type": "text", "text": "x", "buttons": [{"type": "postback", "title": "B", "payload": ""# + String(repeating: "p", count: 65) + #""}]}]"#), "is 65 bytes long; the limit is 64 bytes"),
        ("eleven cards", campaign(modules: #"[{"type": "cards", "cards": ["# + Array(repeating: #"{"title": "T", "subtitle": "S"}"#, count: 11).joined(separator: ",") + "]}]"), "has 11 entries; the limit is 10"),
        ("card with title only", campaign(modules: #"[{"type": "cards", "cards": [{"title": "T"}]}]"#), "a card needs a title and at least one of"),
        ("bad template syntax", campaign(modules: #"[{"type": "text", "text": "Hi {{#first_name}}"}]"#), "invalid template"),
        ("unescaped template", campaign(modules: #"[{"type": "text", "text": "Hi {{{first_name}}}"}]"#), "unescaped output"),
        ("partial in template", campaign(modules: #"[{"type": "text", "text": "{{> header}}"}]"#), "partials"),
        ("unknown template variable", campaign(modules: #"[{"type": "text", "text": "Hi {{frist_name}}"}]"#), #"unknown variable {{frist_name}}"#),
        ("blank text", campaign(modules: #"[{"type": "text", "text": "   "}]"#), "text: must not be empty"),
        ("offset missing", campaign(sendAt: #""2026-12-01T09:00:00""#), "needs a UTC offset"),
        ("february 30", campaign(sendAt: #""2027-02-30T09:00:00Z""#), "day 30 does not exist: February 2027 has 28 days"),
        ("hour 25", campaign(sendAt: #""2026-12-01T25:00:00Z""#), "not a valid time of day"),
        ("month 13", campaign(sendAt: #""2026-13-01T09:00:00Z""#), "month 13 does not exist"),
        ("garbage date", campaign(sendAt: #""next tuesday""#), "is not a date-time"),
        ("unknown zone", campaign(sendAt: #"{"local": "2026-12-01T09:00", "zone": "Europe/Roma"}"#), #"unknown time zone "Europe/Roma""#),
        ("zone path traversal", campaign(sendAt: #"{"local": "2026-12-01T09:00", "zone": "../../etc/passwd"}"#), "unknown time zone"),
        ("nonexistent local time", campaign(sendAt: #"{"local": "2027-03-28T02:30", "zone": "Europe/Rome"}"#), "clocks jump forward"),
        ("expiry already past", campaign(sendAt: #""2026-01-01T09:00:00Z", "expires_at": "2026-01-02T09:00:00Z""#), "expires_at: is already past"),
        ("expiry before send", campaign(sendAt: #""2026-12-02T09:00:00Z", "expires_at": "2026-12-01T09:00:00Z""#), "expires_at: is not after send_at"),
        ("expiry malformed", campaign(extra: #""expires_at": "monday", "#), #"expires_at: "monday" is not a date-time"#),
        ("too far ahead", campaign(sendAt: #""2030-01-01T09:00:00Z""#), "more than two years ahead"),
        ("year 1970", campaign(sendAt: #""1970-01-01T00:00:00Z""#), "outside 2000–2100"),
        ("tag without message tag type", campaign(account: "shop_page", options: #"{"tag": "ACCOUNT_UPDATE"}"#), #"a tag needs "messaging_type": "MESSAGE_TAG""#),
        ("message tag without tag", campaign(account: "shop_page", options: #"{"messaging_type": "MESSAGE_TAG"}"#), "options.tag: is required"),
        ("retired tag", campaign(account: "shop_page", options: #"{"messaging_type": "MESSAGE_TAG", "tag": "SHIPPING_UPDATE"}"#), #""SHIPPING_UPDATE" is not one of"#),
        ("human agent in campaign", campaign(account: "shop_page", options: #"{"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}"#), "forbids it for automated sends"),
        ("messenger option on telegram", campaign(options: #"{"messaging_type": "UPDATE"}"#), "is a Messenger option"),
        ("telegram rate above 30", campaign(options: #"{"rate": 100}"#), "needs \"paid_broadcast\": true"),
        ("negative rate", campaign(options: #"{"rate": -1}"#), "must be a number between"),
        ("rate as string", campaign(options: #"{"rate": "fast"}"#), "must be a number, not a string"),
        ("bad telegram chat id", campaign(audience: #"{"subscribers": ["12ab"]}"#), "must be a Telegram chat id"),
        ("bad psid", campaign(account: "shop_page", audience: #"{"subscribers": ["-5"]}"#), "PSID"),
        ("duplicate recipient", campaign(audience: #"{"recipients": [{"id": "1"}, "1"]}"#), "recipient 1 is listed twice"),
        ("bad username", campaign(audience: #"{"recipients": [{"id": "1", "username": "ada l"}]}"#), "must be a username such as"),
        ("bad custom field name", campaign(audience: #"{"recipients": [{"id": "1", "fields": {"Bad Name": "x"}}]}"#), "field names use lower-case"),
        ("bad tag", campaign(audience: #"{"tags": {"include": ["has space"]}}"#), "tags are 1–64 characters"),
        ("tag both included and excluded", campaign(audience: #"{"tags": {"include": ["a"], "exclude": ["a"]}}"#), "both included and excluded"),
        ("bad id characters", #"{"type": "pause", "id": "../../etc", "job": "x"}"#, "id: must be 1–128 characters"),
        ("id too long", #"{"type": "pause", "id": ""# + String(repeating: "a", count: 129) + #"", "job": "x"}"#, "id: must be 1–128 characters"),
        ("unsupported version", #"{"version": 2, "type": "pause", "job": "x"}"#, "schema version 2 is not supported"),
        ("subscriber file outside spool", #"{"type": "subscribers", "account": "shop_bot", "action": "import", "file": "../../etc/passwd.csv"}"#, "must name a file directly inside the spool's data/ folder"),
        ("subscriber file absolute", #"{"type": "subscribers", "account": "shop_bot", "action": "import", "file": "/etc/shadow"}"#, "data/ folder"),
        ("subscriber file wrong extension", #"{"type": "subscribers", "account": "shop_bot", "action": "import", "file": "data/x.xlsx"}"#, "must name a .csv or .jsonl file"),
        ("tag action without tags", #"{"type": "subscribers", "account": "shop_bot", "action": "tag", "subscribers": ["1"]}"#, "tags: is required"),
        ("unknown subscribers action", #"{"type": "subscribers", "account": "shop_bot", "action": "delete", "subscribers": ["1"]}"#, #""delete" is not one of"#),
        ("empty automation", #"{"type": "automation", "account": "shop_bot"}"#, "needs at least one of"),
        ("greeting too long", #"{"type": "automation", "account": "shop_page", "presentation": {"greeting": ""# + String(repeating: "g", count: 161) + #""}}"#, "the limit is 160"),
        ("greeting on telegram", #"{"type": "automation", "account": "shop_bot", "presentation": {"greeting": "hi"}}"#, "is a Messenger setting"),
        ("unclosed section", #"{"type": "campaign", "account": "shop_bot", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "Hi {{#first_name}}x"}]}}"#, "invalid template: a section is not closed: every {{#name}} or {{^name}} needs its {{/name}} (line 1, column"),
        ("section closed by another name", #"{"type": "campaign", "account": "shop_bot", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "{{#a}}x{{/b}}"}]}}"#, "a section is closed with another name than it was opened with"),
        ("unfinished tag", #"{"type": "campaign", "account": "shop_bot", "audience": {"all": true}, "message": {"modules": [{"type": "text", "text": "Hi {{first_name"}]}}"#, "invalid template: a tag is not finished: every {{ needs its }} (line 1, column"),
        ("no audience", #"{"type": "campaign", "account": "shop_bot", "message": {"modules": [{"type": "text", "text": "Hi"}]}}"#, #"audience: is required: one of {"all": true}, {"tags": "#),
        ("feed without frequency", #"{"type": "feed", "action": "create", "name": "b", "account": "shop_bot", "source": "https://a.example/f.xml"}"#, "frequency: is required"),
        ("feed ftp source", #"{"type": "feed", "action": "create", "name": "b", "account": "shop_bot", "source": "ftp://a.example/f.xml", "frequency": {"every_hours": 1}}"#, "must be an http or https URL"),
        ("feed too frequent", #"{"type": "feed", "action": "create", "name": "b", "account": "shop_bot", "source": "https://a.example/f.xml", "frequency": {"every_minutes": 1}}"#, "must be between 5 and 43200"),
        ("feed bad clock time", #"{"type": "feed", "action": "create", "name": "b", "account": "shop_bot", "source": "https://a.example/f.xml", "frequency": {"daily_at": "24:00", "zone": "UTC"}}"#, "must be a time of day"),
        ("control without target", #"{"type": "cancel"}"#, "job: is required"),
        ("test copy with a profile", #"{"type": "message", "account": "shop_bot", "to": [{"id": "1", "first_name": "A"}], "message": {"modules": [{"type": "text", "text": "x"}]}, "test": true}"#, "to: a test goes to existing subscribers by id"),
        ("test copy to a crowd", #"{"type": "message", "account": "shop_bot", "to": ["# + (1...11).map { "\"\($0)\"" }.joined(separator: ",") + #"], "message": {"modules": [{"type": "text", "text": "x"}]}, "test": true}"#, "a test goes to at most 10 subscribers"),
        ("retry of nothing", #"{"type": "retry"}"#, #"a retry names the campaign ("job": "ID"), a time"#),
        ("retry from the future", #"{"type": "retry", "failed_since": "2026-12-25T00:00:00Z"}"#, "failed_since: is in the future"),
        ("retry since a time without offset", #"{"type": "retry", "failed_since": "2026-11-20T00:00"}"#, "failed_since: needs a UTC offset"),
        ("huge number", campaign(options: #"{"rate": 1e400}"#), "must be a number between"),
        ("integer overflow", #"{"type": "automation", "account": "shop_bot", "default_reply": {"message": {"modules": [{"type": "text", "text": "x"}]}, "min_interval_minutes": 99999999999999999999}}"#, "whole number"),
        ("null required field", #"{"type": "campaign", "account": null}"#, "account: is required"),
    ]

    @Test(arguments: hostile)
    func decode_whenHostile_rejectsWithAnActionableReason(name: String, text: String, expected: String) {
        let got = rejection(text)
        #expect(got.contains(expected), "\(name): \(got)")
    }

    @Test func hostileCorpus_coversThirtyDistinctReasons() {
        let codes = Set(Self.hostile.map { rejection($0.1) })
        #expect(codes.count >= 30)
    }
}

/// A valid campaign with one part replaced.
func campaign(
    account: String = "shop_bot", audience: String = #"{"all": true}"#, modules: String = #"[{"type": "text", "text": "Hello"}]"#,
    sendAt: String? = nil, options: String? = nil, extra: String = ""
) -> String {
    var text = #"{"type": "campaign", "account": ""# + account + #"", "# + extra + #""audience": "# + audience + #", "message": {"modules": "# + modules + "}"
    if let sendAt { text += #", "send_at": "# + sendAt }
    if let options { text += #", "options": "# + options }
    return text + "}"
}

/// Click tracking needs an address for the tracked links: without a public URL, a job whose links would be
/// tracked is refused with what to do; one without links, or with tracking off, is not affected.
@Suite struct TrackingWithoutPublicURLTests {
    let decoder = JobDecoder(accounts: exampleAccounts, now: fixedNow, canTrackLinks: false)
    static let withLink = #"{"type": "message", "account": "shop_bot", "to": ["42"], "message": {"modules": [{"type": "text", "text": "Hi", "buttons": [{"type": "url", "title": "Shop", "url": "https://shop.example.com"}]}]}}"#

    @Test func linksWithTrackingOn_areRefused_untilTrackingIsOff() throws {
        #expect {
            try decoder.decode(Array(Self.withLink.utf8))
        } throws: { error in
            (error as? JobValidationError)?.code == "no_public_url" && (error as? JobValidationError)?.path.description == "options.tracking"
        }
        let untracked = Self.withLink.replacingOccurrences(of: #""to": ["42"],"#, with: #""to": ["42"], "options": {"tracking": false},"#)
        _ = try decoder.decode(Array(untracked.utf8))
        _ = try decoder.decode(Array(#"{"type": "message", "account": "shop_bot", "to": ["42"], "message": {"modules": [{"type": "text", "text": "Hi"}]}}"#.utf8))
    }
}

@Suite struct WelcomeBySourceTests {
    @Test func sourcesFollowThePlatformsPayloadRules() {
        let job = { (source: String) in #"{"type": "automation", "account": "shop_bot", "welcome_by_source": {""# + source + #"": {"modules": [{"type": "text", "text": "Hi"}]}}}"# }
        #expect(rejection(job("qr_code")) == "accepted")
        #expect(rejection(job("has space")).hasSuffix("(invalid_source)"))
        #expect(rejection(job(String(repeating: "a", count: 65))).hasSuffix("(invalid_source)"))
    }
}
