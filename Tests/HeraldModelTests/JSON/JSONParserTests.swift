import HeraldModel
import Testing

@Suite struct JSONParserTests {
    func parse(_ text: String, maxDepth: Int = 32) throws(JSONParseError) -> JSONValue {
        try JSONParser(maxDepth: maxDepth).parse(Array(text.utf8))
    }

    func reason(_ bytes: [UInt8]) -> String {
        do {
            _ = try JSONParser().parse(bytes)
            return "accepted"
        } catch {
            return error.reason
        }
    }

    @Test func parse_whenValidDocument_keepsKeyOrderAndNumberLiterals() throws {
        // Given a document with numbers written in several forms
        let value = try parse(#"{"b": 1.50, "a": [true, false, null, -0, 2e10], "c": "x\u00e9\ud83d\ude00"}"#)
        // Then key order and literals are kept exactly
        guard case .object(let object) = value else { Issue.record("not an object"); return }
        #expect(object.keys == ["b", "a", "c"])
        #expect(object["b"] == .number("1.50"))
        #expect(object["a"] == .array([.bool(true), .bool(false), .null, .number("-0"), .number("2e10")]))
        #expect(object["c"] == .string("xé😀"))
    }

    @Test func parse_whenKeyRepeats_reportsDuplicateWithPath() {
        do {
            _ = try parse(#"{"message": {"modules": [], "modules": []}}"#)
            Issue.record("duplicate accepted")
        } catch {
            #expect(error.reason.contains("duplicate key \"modules\""))
            #expect(error.path.description == "message.modules")
        }
    }

    @Test(arguments: [
        ("", "empty"),
        ("   \n", "empty"),
        ("{\"type\": \"campaign\"", "truncated"),
        ("{\"a\": \"unterminated", "truncated"),
        ("{\"a\": 1} {\"b\": 2}", "trailing garbage"),
        ("{\"a\": 1}x", "trailing garbage"),
        ("{'a': 1}", "expected a key in double quotes"),
        ("{\"a\": 01}", "leading zeros"),
        ("{\"a\": 1.}", "digits must follow"),
        ("{\"a\": .5}", "expected a JSON value"),
        ("{\"a\": NaN}", "expected a JSON value"),
        ("{\"a\": tru}", "invalid literal"),
        ("{\"a\": \"\\x41\"}", "invalid escape"),
        ("{\"a\": \"\\ud800\"}", "lone UTF-16 surrogate"),
        ("{\"a\": \"\\udc00x\"}", "lone UTF-16 surrogate"),
        ("{\"a\": \"\\u0000\"}", "NUL character"),
        ("{\"a\": \"tab\there\"}", "control character"),
        ("{\"a\": 1,}", "expected a key"),
        ("[1, 2,]", "expected a JSON value"),
        ("{\"a\" 1}", "expected ':'"),
        ("{\"a\": 1 \"b\": 2}", "expected ',' or '}'"),
        ("// comment\n{}", "expected a JSON value"),
    ])
    func parse_whenMalformed_explainsWhy(text: String, expected: String) {
        #expect(reason(Array(text.utf8)).contains(expected), "\(text.debugDescription) → \(reason(Array(text.utf8)))")
    }

    @Test func parse_whenInvalidUTF8_rejects() {
        #expect(reason([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D]).contains("not valid UTF-8"))
        #expect(reason([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D]).contains("not valid UTF-8"))
    }

    @Test func parse_whenBinaryOrBOM_rejects() {
        #expect(reason([0x00, 0x01, 0x02, 0x7B]).contains("NUL byte"))
        #expect(reason([0x7F, 0x45, 0x4C, 0x46, 0x02]).contains("byte 0x7F"))
        #expect(reason([0xEF, 0xBB, 0xBF] + Array("{}".utf8)).contains("byte order mark"))
    }

    @Test func parse_whenNestedBeyondCap_rejectsWithoutRecursingFurther() {
        // Given 100,000 nested arrays (a stack-overflow attempt)
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        // Then the cap stops it
        #expect(reason(Array(deep.utf8)).contains("deeper than 32"))
        #expect(throws: Never.self) { try parse(String(repeating: "[", count: 32) + String(repeating: "]", count: 32)) }
    }

    @Test func parse_whenError_reportsLineAndColumn() {
        do {
            _ = try parse("{\n  \"a\": 1,\n  \"b\": ?\n}")
            Issue.record("accepted")
        } catch {
            #expect(error.line == 3)
            #expect(error.column == 8)
            #expect(error.path.description == "b")
        }
    }

    @Test func jsonText_roundTripsEscapes() throws {
        let value = JSONValue.object(["k\"ey": .string("line\nbreak \u{01} \\ \u{2028}"), "n": .number("1e3")])
        #expect(try parse(value.jsonText) == value)
    }

    @Test(arguments: [
        ("Hello", #""Hello""#), ("", #""""#), ("Zoë 👩🏽‍💻 <b>&</b>", #""Zoë 👩🏽‍💻 <b>&</b>""#),
        ("say \"hi\"", #""say \"hi\"""#), ("a\\b", #""a\\b""#), ("tab\tend", #""tab\tend""#),
        ("\u{7F}\u{1F}", #""\#u{7F}\u001f""#), ("line\u{2028}para\u{2029}", #""line\u2028para\u2029""#),
        ("dots … and ‘quotes’", #""dots … and ‘quotes’""#), ("€ \u{2027}\r\n\u{2028}", #""€ \#u{2027}\r\n\u2028""#), ("\u{1}\u{1B}", #""\u0001\u001b""#),
    ])
    func writeString_escapesExactlyWhatJSONAndJavaScriptNeed(text: String, expected: String) throws {
        var out = ""
        JSONValue.writeString(text, to: &out)
        #expect(out == expected)
        #expect(try parse(out) == .string(text))
    }
}
