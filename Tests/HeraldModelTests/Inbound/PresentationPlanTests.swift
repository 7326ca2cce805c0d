import HeraldModel
import Testing

@Suite struct PresentationPlanTests {
    static func value(_ text: String) throws -> JSONValue { try JSONParser().parse(Array(text.utf8)) }

    @Test func onlyChangedFields_areCalled() throws {
        let wanted = try Self.value(#"{"description": "A", "short_description": "B"}"#)
        #expect(PresentationPlan.calls(platform: .telegram, desired: wanted, applied: nil).map(\.method) == ["setMyDescription", "setMyShortDescription"])
        #expect(PresentationPlan.calls(platform: .telegram, desired: wanted, applied: wanted).isEmpty)
        #expect(PresentationPlan.calls(platform: .telegram, desired: wanted, applied: try Self.value(#"{"description": "A", "short_description": "C"}"#)).map(\.method) == ["setMyShortDescription"])
        let page = try Self.value(#"{"greeting": "Hi"}"#)
        #expect(PresentationPlan.calls(platform: .messenger, desired: page, applied: nil) == [.init(method: "messenger_profile", body: ["greeting": .array([.object(["locale": .string("default"), "text": .string("Hi")])])])])
        #expect(PresentationPlan.calls(platform: .messenger, desired: page, applied: page).isEmpty)
    }
}
