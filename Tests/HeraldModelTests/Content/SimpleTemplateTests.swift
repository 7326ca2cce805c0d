@testable import HeraldModel
import Mustache
import Testing

@Suite struct SimpleTemplateTests {
    static let profiles = [
        Profile(platformID: "42"),
        Profile(platformID: "7", firstName: "Zoë", lastName: "Ångström", username: "zoe", locale: "sv_SE", fields: ["city": "Malmö", "plan-tier": "gold"]),
        Profile(platformID: "8", firstName: "", lastName: "Okafor", fields: ["city": ""]),
        Profile(platformID: "9", firstName: "👩🏽‍💻 Ada", lastName: nil, username: "", locale: ""),
    ]

    /// What Mustache itself renders, in the text content type the personalizer uses.
    static func mustache(_ source: String, _ profile: Profile) throws -> String {
        try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT }}" + source).render(profile.context)
    }

    @Test(arguments: [
        "Hello", "", "Hello {{first_name}}!", "{{platform_id}}", "{{ first_name }} {{last_name}}",
        "Dear {{full_name}}, {{username}} ({{locale}})", "{{fields.city}} / {{ fields.plan-tier }} / {{fields.missing}}",
        "{{first_name}}{{first_name}}", "a < b & {{first_name}} > c", "{{\tlocale\t}}", "émoji 🎉 {{first_name}} ✓",
    ])
    func plainVariables_renderExactlyAsMustacheDoes(source: String) throws {
        let template = try #require(SimpleTemplate(source))
        for profile in Self.profiles {
            #expect(template.render(profile) == (try Self.mustache(source, profile)), "\(source) for \(profile)")
        }
    }

    @Test(arguments: [
        "{{#first_name}}Hi {{first_name}}{{/first_name}}", "{{^first_name}}friend{{/first_name}}", "{{{first_name}}}",
        "{{&first_name}}", "{{! a comment }}", "{{> partial}}", "{{=<% %>=}}", "{{unknown}}", "{{fields}}", "{{fields.a.b}}",
        "{{first_name", "{{}}",
    ])
    func anythingElse_isLeftToMustache(source: String) {
        #expect(SimpleTemplate(source) == nil)
    }

    @Test(arguments: ["{ {first_name}}", "{first_name}", "{}{", "{", "", "é { { 🎉", "}}{first_name}}"])
    func textWithoutADoubleBrace_isLeftAsWritten(source: String) {
        #expect(!Personalizer.hasTag(source))
        #expect(Personalizer().render(TemplateText(unchecked: source), for: Self.profiles[1]) == source)
    }

    @Test func personalizer_usesEitherPath_withTheSameResults() throws {
        let personalizer = Personalizer()
        for source in ["Hi {{first_name}}", "{{#first_name}}Hi {{first_name}}{{/first_name}}{{^first_name}}Hi there{{/first_name}}", "x{{first_name}}", "é{{first_name}}"] {
            for profile in Self.profiles {
                #expect(personalizer.render(TemplateText(unchecked: source), for: profile) == (try Self.mustache(source, profile)))
            }
        }
    }
}
