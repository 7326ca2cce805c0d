import Foundation
import HeraldModel
import HTTPTypes
import Hummingbird

/// `GET /c/{token}`: a tracked link. The token's tag is checked first (a forgery costs no database work), the
/// redirect goes only to the URL stored for that campaign's link (no open redirect), and the fetch is recorded
/// with who made it (a person, a link-preview bot, or unknown) before the 302 goes out.
struct ClickRoutes: Sendable {
    let token: ClickToken
    let store: HeraldStore
    let clicks: ClickJournal
    let metrics: HeraldMetrics

    func register(on router: Router<HeraldRequestContext>) {
        router.get("/c/:token") { request, context in await follow(request, token: context.parameters.get("token") ?? "") }
        router.head("/c/:token") { request, context in await follow(request, token: context.parameters.get("token") ?? "") }
    }

    func follow(_ request: Request, token text: String) async -> Response {
        guard let target = token.target(of: text) else { return Self.notFound }
        let url: String?
        do {
            url = try await store.trackedURL(target)
        } catch {
            return JSONResponse.error(.serviceUnavailable, "unavailable", "the link cannot be looked up right now; try again")
        }
        guard let url else { return Self.notFound }
        let agent = ClickAgent.classify(request.headers[.userAgent])
        // A click that cannot be recorded still reaches its page: the person comes first, the count second.
        try? await clicks.append(ClickHit(target: target, agent: agent, at: Date()))
        metrics.click(agent: agent)
        return Response(status: .found, headers: [.location: url, .cacheControl: "no-store", .referrerPolicy: "no-referrer"])
    }

    static var notFound: Response { JSONResponse.error(.notFound, "unknown_link", "no such link") }
}

extension HTTPField.Name {
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
