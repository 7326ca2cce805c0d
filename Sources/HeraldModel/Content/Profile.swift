/// What personalisation knows of one recipient.
public struct Profile: Sendable, Hashable {
    public var platformID: String
    public var firstName: String?
    public var lastName: String?
    public var username: String?
    public var locale: String?
    public var fields: [String: String]

    public init(platformID: String, firstName: String? = nil, lastName: String? = nil, username: String? = nil, locale: String? = nil, fields: [String: String] = [:]) {
        self.platformID = platformID
        self.firstName = firstName
        self.lastName = lastName
        self.username = username
        self.locale = locale
        self.fields = fields
    }

    /// First and last name, whichever are there, with a space between.
    var fullName: String { [firstName, lastName].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ") }

    /// The mustache context: missing values are absent, so `{{^first_name}}friend{{/first_name}}` falls back.
    var context: [String: Any] {
        var context: [String: Any] = ["platform_id": platformID, "fields": fields]
        if let firstName, !firstName.isEmpty { context["first_name"] = firstName }
        if let lastName, !lastName.isEmpty { context["last_name"] = lastName }
        if !fullName.isEmpty { context["full_name"] = fullName }
        if let username, !username.isEmpty { context["username"] = username }
        if let locale, !locale.isEmpty { context["locale"] = locale }
        return context
    }
}
