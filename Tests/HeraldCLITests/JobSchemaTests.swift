import Foundation
import Testing

@Suite struct JobSchemaTests {
    static let hasValidator = (try? runCommand(["python3", "-c", "import jsonschema"], executable: "/usr/bin/env"))?.status == 0

    @Test(.enabled(if: hasValidator, "python3 with jsonschema (installed by .ci/run)"))
    func schema_isValidAndAcceptsEveryExampleButNotBrokenOnes() async throws {
        let script = """
            import glob, json, sys, jsonschema
            root = sys.argv[1]
            schema = json.load(open(root + "/spool/job.schema.json"))
            jsonschema.Draft202012Validator.check_schema(schema)
            validator = jsonschema.Draft202012Validator(schema)
            for path in sorted(glob.glob(root + "/spool/examples/*.json")):
                errors = list(validator.iter_errors(json.load(open(path))))
                print(path.rsplit("/", 1)[1], "ok" if not errors else "invalid: " + errors[0].message[:120])
            broken = [
                {"type": "campaign"},
                {"type": "campain", "account": "a"},
                {"type": "pause", "job": "x", "extra": 1},
                {"type": "campaign", "account": "a", "audience": {"all": True}, "message": {"modules": [{"type": "image", "url": "http://x.example/a.png"}]}},
                {"type": "subscribers", "account": "a", "action": "import", "file": "../etc/passwd.csv"},
                {"type": "retry"},
                {"type": "retry", "job": "x", "failed_since": 12},
                {"type": "growth_tool", "action": "create", "name": "p", "kind": "popup_form", "accounts": ["a"], "fields": [{"type": "email", "label": "E-mail"}]},
                {"type": "growth_tool", "action": "create", "name": "p", "kind": "website_button", "accounts": ["a"], "source": "spring--sale"},
            ]
            for document in broken:
                print("broken", "accepted" if validator.is_valid(document) else "rejected")
            """
        let result = try await runCommandOffPool(["python3", "-c", script, packageRoot.path], executable: "/usr/bin/env")
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.filter { $0.hasSuffix(" ok") }.count == 17, "\(result.stdout)")
        #expect(lines.filter { $0 == "broken rejected" }.count == 9, "\(result.stdout)")
    }
}
