import Foundation
import HeraldModel
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HeraldSimulator

/// Visitors of the shop's website meeting its popup form over real HTTP, as browsers would: people's views,
/// a crawler's, submissions from the site's origin (each visitor its own client behind the site's proxy), and
/// some of them opening the chat link they were given, in the simulator.
struct DemoVisitors {
    let base: String
    let tool: String
    let origin: String
    let simulator: PlatformSimulator
    static let browser = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
    static let names = ["Ada", "Bruno", "Chiara", "Dmitri", "Elif", "Farah", "Giulia", "Hiro", "Inès", "Jonas", "Kemi", "Luca", "Mei", "Nadia"]

    /// `views` people see the popup, `bots` crawlers load it, `submissions` of the people send it, and the first
    /// `arriving` of those open the chat (Telegram and Messenger in turn). Returns how many opened it.
    func visit(views: Int, bots: Int, submissions: Int, arriving: Int) async throws -> Int {
        for index in 0..<(views + bots) {
            let agent = index < views ? Self.browser : "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
            _ = try await post("/view", body: nil, agent: agent, client: index)
        }
        var opened = 0
        for index in 0..<submissions {
            let name = Self.names[index % Self.names.count]
            let form = #"{"fields": {"first_name": ""# + name + #"", "email": ""# + name.lowercased().filter(\.isASCII) + #"@example.com", "interest": ""# + ["Shoes", "Bags", "Everything"][index % 3] + #""}, "consent": true, "url": ""}"#
            let answer = try await post("/submit", body: form, agent: Self.browser, client: index)
            guard index < arriving, case .object(let object)? = try? JSONParser().parse(Array(answer.utf8)), case .array(let links)? = object["links"] else { continue }
            let urls = links.compactMap { link -> String? in if case .object(let fields) = link, case .string(let url)? = fields["url"] { url } else { nil } }
            guard !urls.isEmpty, simulator.open(link: urls[index % urls.count], firstName: name) != nil else { continue }
            opened += 1
        }
        return opened
    }

    private func post(_ path: String, body: String?, agent: String, client: Int) async throws -> String {
        var request = URLRequest(url: URL(string: base + "/g/" + tool + path)!)
        request.httpMethod = "POST"
        request.setValue(origin, forHTTPHeaderField: "Origin")
        request.setValue(agent, forHTTPHeaderField: "User-Agent")
        request.setValue("203.0.113.\(client % 250 + 1)", forHTTPHeaderField: "X-Forwarded-For")
        if let body {
            request.setValue("text/plain;charset=UTF-8", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(body.utf8)
        }
        let (data, _) = try await URLSession.shared.data(for: request)
        return String(decoding: data, as: UTF8.self)
    }
}
