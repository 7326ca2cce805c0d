import HeraldModel
import Testing

/// A popup form's submissions as the server judges them: where each value goes, and every refusal with the
/// message the popup shows for it.
@Suite struct FormSubmissionTests {
    typealias Field = GrowthToolJob.Field
    static let fields = [
        Field(name: "first_name", kind: .firstName, label: "First name", required: true, choices: []),
        Field(name: "last_name", kind: .lastName, label: "Last name", required: false, choices: []),
        Field(name: "email", kind: .email, label: "E-mail", required: false, choices: []),
        Field(name: "phone", kind: .phone, label: "Phone", required: false, choices: []),
        Field(name: "interest", kind: .choice, label: "I like", required: true, choices: ["Shoes", "Bags"]),
        Field(name: "note", kind: .text, label: "Note", required: false, choices: []),
    ]
    static let consent = GrowthToolJob.Consent(text: "I agree", version: "v1")

    static func validate(_ json: String, consent: GrowthToolJob.Consent? = nil) -> FormSubmission.Outcome {
        FormSubmission.validate(Array(json.utf8), fields: fields, consent: consent)
    }

    static func problems(_ json: String, consent: GrowthToolJob.Consent? = nil) -> [String] {
        guard case .rejected(let problems) = validate(json, consent: consent) else { return [] }
        return problems.map(\.description)
    }

    @Test func anAcceptedForm_putsNamesOnTheProfile_andTheRestInCustomFields_trimmed() {
        let outcome = Self.validate(#"{"fields": {"first_name": "  Zoë ", "email": "zoe@example.com", "phone": "+44 (0)20 7946-0958", "interest": "Bags"}, "consent": true, "url": ""}"#, consent: Self.consent)
        #expect(outcome == .accepted(FormSubmission(firstName: "Zoë", fields: ["email": "zoe@example.com", "phone": "+44 (0)20 7946-0958", "interest": "Bags"], consent: Self.consent)))
    }

    @Test func eachRule_refusesWithThePopupsMessage() {
        #expect(Self.problems(#"{"fields": {"interest": "Bags"}}"#) == ["first_name: Please fill this in."])
        #expect(Self.problems(#"{"fields": {"first_name": "   ", "interest": "Bags"}}"#) == ["first_name: Please fill this in."])
        #expect(Self.problems(#"{"fields": {"first_name": "Zoë", "interest": "Hats"}}"#) == ["interest: Please choose one of the options."])
        #expect(Self.problems(#"{"fields": {"first_name": "Zoë", "interest": "Bags", "email": "zoe@example"}}"#) == ["email: Please enter an e-mail address like name@example.com."])
        #expect(Self.problems(#"{"fields": {"first_name": "Zoë", "interest": "Bags", "email": "zo e@example.com"}}"#).count == 1)
        #expect(Self.problems(#"{"fields": {"first_name": "Zoë", "interest": "Bags", "email": "a@b@c.com"}}"#).count == 1)
        #expect(Self.problems(#"{"fields": {"first_name": "Zoë", "interest": "Bags", "phone": "12345"}}"#) == ["phone: Please enter a phone number like +1 555 010 0000."])
        #expect(Self.problems(#"{"fields": {"first_name": "Zoë", "interest": "Bags", "phone": "+1 555 CALL NOW"}}"#).count == 1)
        #expect(Self.problems(#"{"fields": {"first_name": "Zoë", "interest": "Bags", "phone": "1234567890123456"}}"#).count == 1)
        #expect(Self.problems(#"{"fields": {"first_name": "<b>Zoë</b>", "interest": "Bags"}}"#) == ["first_name: Please use plain text."])
        #expect(Self.problems(#"{"fields": {"first_name": "Zo\u0007ë", "interest": "Bags"}}"#) == ["first_name: Please use plain text."])
        #expect(Self.problems(#"{"fields": {"first_name": ""# + String(repeating: "é", count: 101) + #"", "interest": "Bags"}}"#) == ["first_name: At most 100 characters."])
        // 100 code points of a character outside the BMP: JavaScript's [...v].length counts them the same.
        #expect(Self.problems(#"{"fields": {"first_name": ""# + String(repeating: "😀", count: 100) + #"", "interest": "Bags"}}"#).isEmpty)
        #expect(Self.problems(#"{"fields": {"first_name": "Zoë", "interest": "Bags"}}"#, consent: Self.consent) == ["consent: Please tick the box to agree."])
        #expect(Self.problems(#"{"fields": {"first_name": "Zoë", "interest": "Bags"}, "consent": "yes"}"#, consent: Self.consent) == ["consent: Please tick the box to agree."])
    }

    @Test func malformedHostileAndHugeBodies_areRefusedWithAReason() {
        #expect(Self.problems("not json") == ["the submission is not a JSON object"])
        #expect(Self.problems(#"{"fields": {"first_name": "Zo"#) == ["the submission is not a JSON object"])
        #expect(Self.problems("[1, 2]") == ["the submission is not a JSON object"])
        #expect(Self.problems(#"{"fields": [], "consent": true}"#) == ["\"fields\" must be an object"])
        #expect(Self.problems(#"{"fields": {"first_name": 7}}"#) == ["first_name: must be text"])
        #expect(Self.problems(#"{"fields": {"first_name": "Zoë", "interest": "Bags", "password": "x"}}"#) == ["password: this form has no such field"])
        #expect(Self.problems(#"{"fields": {"first_name": "Zoë", "interest": "Bags"}, "admin": true}"#) == ["unknown key \"admin\""])
        #expect(Self.problems(#"{"fields": {"a": {"b": {"c": {"d": {"e": 1}}}}}}"#) == ["the submission is not a JSON object"])
        let huge = #"{"fields": {"note": ""# + String(repeating: "x", count: FormSubmission.maxBodyBytes) + #""}}"#
        #expect(Self.problems(huge) == ["the submission is larger than 8192 bytes"])
    }

    @Test func aFilledHoneypot_isABot_whateverElseTheFormSays() {
        #expect(Self.validate(#"{"fields": {"first_name": "Zoë", "interest": "Bags"}, "url": "http://spam.example"}"#) == .honeypot)
        #expect(Self.validate(#"{"fields": {}, "url": 1}"#) == .honeypot)
        #expect(Self.validate(#"{"fields": {"first_name": "Zoë", "interest": "Bags"}, "url": ""}"#) != .honeypot)
    }

    @Test func tokens_travelInTheDeepLinkAfterTheSource_andOnlyWellFormedOnesAreSplitOff() throws {
        let token = OptInToken(randomBytes: Array(0..<16))
        #expect(token.text == "AAECAwQFBgcICQoLDA0ODw")
        #expect(OptInToken(token.text) == token)
        let link = try? GrowthLink.make(platform: .telegram, handle: "shop_bot", source: "popup_form", token: token)
        #expect(link?.url == "https://t.me/shop_bot?start=popup_form--AAECAwQFBgcICQoLDA0ODw")
        #expect(("popup_form--" + token.text).count <= 64)
        #expect(GrowthLink.split("popup_form--" + token.text) == ("popup_form", token))
        #expect(GrowthLink.split("popup_form") == ("popup_form", nil))
        #expect(GrowthLink.split("summer--sale") == ("summer--sale", nil))
        #expect(GrowthLink.split("--" + token.text) == ("--" + token.text, nil))
        #expect(GrowthLink.split("popup_form--" + token.text + "x") == ("popup_form--" + token.text + "x", nil))
        #expect(OptInToken("AAECAwQFBgcICQoLDA0OD!") == nil)
        // base64url has "-": a token may hold "--" or start with "-", and is still found by its length.
        for text in ["ab--cdefghijklmnopqrstu", "-bcdefghijklmnopqrstu-", "--cdefghijklmnopqrst--"] {
            let dashed = try #require(OptInToken(String(text.prefix(22))))
            #expect(GrowthLink.split("news_popup--" + dashed.text) == ("news_popup", dashed), "\(text)")
            #expect(GrowthLink.split("news-popup---" + dashed.text) == ("news-popup-", dashed), "\(text)")
        }
        let dashes = OptInToken(randomBytes: [0xFB, 0xEF, 0xBE] + Array(repeating: 0xFB, count: 13))
        #expect(dashes.text.hasPrefix("----"))
        #expect(GrowthLink.split("popup_form--" + dashes.text) == ("popup_form", dashes))
    }

    @Test func views_countOnlyPeoplesBrowsers_notBotsHeadlessBrowsersOrPrefetches() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
        #expect(GrowthVisit.isPerson(userAgent: chrome, purpose: nil))
        #expect(!GrowthVisit.isPerson(userAgent: chrome, purpose: "prefetch"))
        #expect(!GrowthVisit.isPerson(userAgent: chrome.replacingOccurrences(of: "Chrome/", with: "HeadlessChrome/"), purpose: nil))
        #expect(!GrowthVisit.isPerson(userAgent: "facebookexternalhit/1.1", purpose: nil))
        #expect(!GrowthVisit.isPerson(userAgent: "curl/8.5.0", purpose: nil))
        #expect(!GrowthVisit.isPerson(userAgent: nil, purpose: nil))
    }
}
