/// A popup form's submission, validated against the tool's fields with the same rules the popup checks in the
/// browser (`FormRules`): where each value goes on the subscriber, and the consent given.
public struct FormSubmission: Sendable, Equatable {
    /// A value that cannot be accepted, by field (`consent` for the checkbox, empty for the whole body).
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var field: String
        public var message: String
        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
        public var description: String { field.isEmpty ? message : "\(field): \(message)" }
    }

    /// What a submission turned out to be.
    public enum Outcome: Sendable, Equatable {
        case accepted(FormSubmission)
        /// The hidden field a person never sees was filled: a bot. Answered like a success, stored nowhere.
        case honeypot
        case rejected([Problem])
    }

    public var firstName: String?
    public var lastName: String?
    /// Custom fields (`fields.NAME`): email, phone, text and choice fields by name.
    public var fields: [String: String]
    /// The consent the person ticked, when the form asks for one.
    public var consent: GrowthToolJob.Consent?

    public init(firstName: String? = nil, lastName: String? = nil, fields: [String: String] = [:], consent: GrowthToolJob.Consent? = nil) {
        self.firstName = firstName
        self.lastName = lastName
        self.fields = fields
        self.consent = consent
    }

    /// The largest body accepted, in bytes.
    public static let maxBodyBytes = 8 * 1024
    /// The top-level key of the honeypot input (hidden off-screen; people leave it empty).
    public static let honeypotKey = "url"

    /// Validates a body: `{"fields": {NAME: "value", …}, "consent": true, "url": ""}`.
    public static func validate(_ body: [UInt8], fields: [GrowthToolJob.Field], consent: GrowthToolJob.Consent?) -> Outcome {
        guard body.count <= maxBodyBytes else { return .rejected([Problem(field: "", message: "the submission is larger than \(maxBodyBytes) bytes")]) }
        guard case .object(let root)? = try? JSONParser(maxDepth: 4).parse(body) else {
            return .rejected([Problem(field: "", message: "the submission is not a JSON object")])
        }
        if let trap = root[honeypotKey] {
            guard case .string(let text) = trap, text.isEmpty else { return .honeypot }
        }
        for key in root.keys where ![honeypotKey, "fields", "consent"].contains(key) {
            return .rejected([Problem(field: "", message: "unknown key \"\(key)\"")])
        }
        var values: [String: String] = [:]
        switch root["fields"] {
        case nil: break
        case .object(let given)?:
            for key in given.keys {
                guard fields.contains(where: { $0.name == key }) else { return .rejected([Problem(field: key, message: "this form has no such field")]) }
                guard case .string(let text)? = given[key] else { return .rejected([Problem(field: key, message: "must be text")]) }
                values[key] = text
            }
        default:
            return .rejected([Problem(field: "", message: "\"fields\" must be an object")])
        }
        var problems: [Problem] = []
        var submission = FormSubmission()
        for field in fields {
            let value = FormRules.trimmed(values[field.name] ?? "")
            if let problem = FormRules.problem(value, field: field) {
                problems.append(Problem(field: field.name, message: problem))
                continue
            }
            guard !value.isEmpty else { continue }
            switch field.kind {
            case .firstName: submission.firstName = value
            case .lastName: submission.lastName = value
            case .email, .phone, .text, .choice: submission.fields[field.name] = value
            }
        }
        if let consent {
            if case .bool(true)? = root["consent"] { submission.consent = consent } else { problems.append(Problem(field: "consent", message: FormRules.consentMessage)) }
        }
        return problems.isEmpty ? .accepted(submission) : .rejected(problems)
    }
}

/// The checks a form value passes, written once here and once in the popup's script with the same limits and
/// the same messages. Lengths are Unicode code points (JavaScript's `[...value].length`).
public enum FormRules {
    public static let consentMessage = "Please tick the box to agree."

    /// The most code points a field's value may have.
    public static func maxLength(_ kind: GrowthToolJob.Field.Kind) -> Int {
        switch kind {
        case .firstName, .lastName: 100
        case .email: 254
        case .phone: 32
        case .text, .choice: 500
        }
    }

    /// Spaces around the value go; inside it stays as typed.
    public static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }), let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }

    /// Why `value` (trimmed) cannot fill `field`, or nil.
    public static func problem(_ value: String, field: GrowthToolJob.Field) -> String? {
        if value.isEmpty { return field.required ? "Please fill this in." : nil }
        let scalars = Array(value.unicodeScalars)
        if scalars.count > maxLength(field.kind) { return "At most \(maxLength(field.kind)) characters." }
        if scalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "<" || $0 == ">" }) { return "Please use plain text." }
        switch field.kind {
        case .email:
            return isEmail(value) ? nil : "Please enter an e-mail address like name@example.com."
        case .phone:
            return isPhone(value) ? nil : "Please enter a phone number like +1 555 010 0000."
        case .choice:
            return field.choices.contains(value) ? nil : "Please choose one of the options."
        case .firstName, .lastName, .text:
            return nil
        }
    }

    /// `local@domain.tld`: what the popup checks with `/^[^\s@]{1,64}@[^\s@.]+(\.[^\s@.]+)+$/`.
    static func isEmail(_ value: String) -> Bool {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...64).contains(parts[0].unicodeScalars.count), !parts[0].unicodeScalars.contains(where: \.properties.isWhitespace) else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty && !$0.unicodeScalars.contains(where: \.properties.isWhitespace) }
    }

    /// Digits with an optional leading +, spaces, dots, dashes and parentheses; 6 to 15 digits (E.164's most):
    /// what the popup checks with `/^\+?[0-9 ().-]+$/` and its digit count.
    static func isPhone(_ value: String) -> Bool {
        let body = value.hasPrefix("+") ? value.dropFirst() : Substring(value)
        guard body.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || " ().-".unicodeScalars.contains($0) }) else { return false }
        return (6...15).contains(body.unicodeScalars.filter { ("0"..."9").contains($0) }.count)
    }
}
