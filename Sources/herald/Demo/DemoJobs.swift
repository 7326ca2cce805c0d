import Foundation
import HeraldSimulator

/// The job files the demo drops: the examples of spool/examples, adapted to the simulated audience.
struct DemoJobs {
    let examples: String

    /// Finds spool/examples: in the working directory, else in the source tree this binary was built from.
    init() throws {
        let candidates = [
            FileManager.default.currentDirectoryPath + "/spool/examples",
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path + "/spool/examples",
        ]
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0 + "/telegram-campaign.json") }) else {
            throw DemoError("cannot find spool/examples (looked in \(candidates.joined(separator: ", "))): run herald demo from Herald's checkout")
        }
        examples = found
    }

    func example(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: examples + "/" + name))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw DemoError("\(name) is not a JSON object") }
        return object
    }

    /// Welcome, goodbye and replies for both accounts: the Messenger example, and its Telegram twin.
    func automations() throws -> [(String, [String: Any])] {
        let telegram: [String: Any] = [
            "type": "automation", "account": "shop_bot",
            "presentation": ["description": "Deals and order updates from Shop. Press Start to subscribe.", "short_description": "Deals from Shop"],
            "welcome": ["modules": [["type": "text", "text": "Welcome {{first_name}}! Send STOP at any time to unsubscribe."]]],
            "welcome_by_source": ["qr_code": ["modules": [["type": "text", "text": "Thanks for scanning, {{first_name}}! Show this chat in store for 10% off."]]]],
            "goodbye": ["modules": [["type": "text", "text": "You are unsubscribed. Send /start to come back."]]],
        ]
        return [("automation-messenger.json", try example("automation.json")), ("automation-telegram.json", telegram)]
    }

    /// The Telegram subscribers who came in, imported again with a coupon each and tagged `customers` (as a CRM export would).
    func customerImport(_ people: [Person]) -> [String: Any] {
        let subscribers = people.filter { $0.network == .telegram }.map { person -> [String: Any] in
            ["id": person.id, "fields": ["coupon": "\(person.firstName.uppercased().filter(\.isASCII))\(person.id.suffix(2))"]]
        }
        return ["type": "subscribers", "id": "demo-crm-import", "account": "shop_bot", "action": "import", "origin": "website_button", "tags": ["customers"], "subscribers": subscribers]
    }

    /// The three campaigns: the Telegram and Messenger examples as they are, and the scheduled one due in `seconds`.
    func campaigns(scheduleIn seconds: Int) throws -> [(String, [String: Any])] {
        var scheduled = try example("scheduled-campaign.json")
        let format = ISO8601DateFormatter()
        scheduled["id"] = "demo-scheduled-video"
        scheduled["name"] = "Scheduled video"
        scheduled["audience"] = ["tags": ["include": ["customers"]]]
        scheduled["send_at"] = format.string(from: Date().addingTimeInterval(Double(seconds)))
        scheduled["expires_at"] = format.string(from: Date().addingTimeInterval(3600))
        return [("telegram-campaign.json", try example("telegram-campaign.json")), ("messenger-campaign.json", try example("messenger-campaign.json")), ("scheduled-campaign.json", scheduled)]
    }
}

extension DemoJobs {
    /// The shop's blog as a feed automation for the Telegram bot: new posts go out as text with a button.
    func feed(source: String) -> [String: Any] {
        [
            "type": "feed", "id": "demo-feed-blog", "action": "create", "name": "shop-blog", "account": "shop_bot", "source": source,
            "frequency": ["every_hours": 1], "mode": "each", "layout": "text", "max_items": 3,
        ]
    }
}

/// The demo could not run; the message says why.
struct DemoError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
