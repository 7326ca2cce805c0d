import Foundation
import HeraldModel
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /g/{tool}.js` (the website button's script), `GET /g/{tool}/qr/{platform}.svg` (its QR codes) and
/// `GET /s/{tool}` (its landing page). Public, cacheable for a few minutes, no cookies.
struct GrowthRoutes: Sendable {
    let settings: ConfigurationHolder
    let store: HeraldStore

    func register(on router: Router<HeraldRequestContext>) {
        // One parameter name per position: Hummingbird refuses /g/{file} beside /g/{tool}/qr/{file}.
        router.get("/g/:tool") { _, context in await script(context.parameters.get("tool") ?? "") }
        router.get("/g/:tool/qr/:file") { _, context in await qr(context.parameters.get("tool") ?? "", file: context.parameters.get("file") ?? "") }
        router.get("/s/:tool") { _, context in await landing(context.parameters.get("tool") ?? "") }
    }

    /// The tool ready to serve, or the response that says why it cannot be.
    enum Lookup {
        case found(GrowthToolPages)
        case refused(Response)
    }

    func pages(_ name: String) async -> Lookup {
        let configuration = settings.configuration
        let tool: StoredGrowthTool?
        do { tool = try await store.growthTool(named: name) } catch { return .refused(JSONResponse.error(.serviceUnavailable, "unavailable", "try again")) }
        guard let tool else { return .refused(JSONResponse.error(.notFound, "unknown_tool", "no such growth tool")) }
        do {
            return .found(try GrowthToolPages(tool, configuration: configuration, baseURL: configuration.http.publicURL ?? ""))
        } catch {
            return .refused(JSONResponse.error(.serviceUnavailable, "tool_unavailable", "this growth tool cannot be served with the current configuration"))
        }
    }

    func script(_ file: String) async -> Response {
        guard file.hasSuffix(".js") else { return JSONResponse.error(.notFound, "unknown_tool", "no such growth tool") }
        switch await pages(String(file.dropLast(3))) {
        case .refused(let response): return response
        case .found(let pages): return Self.respond(pages.page.script(), type: "text/javascript; charset=utf-8")
        }
    }

    func qr(_ name: String, file: String) async -> Response {
        guard file.hasSuffix(".svg"), let platform = Platform(rawValue: String(file.dropLast(4))) else { return JSONResponse.error(.notFound, "unknown_code", "no such code") }
        switch await pages(name) {
        case .refused(let response): return response
        case .found(let pages):
            guard let svg = try? pages.qrSVG(platform) else { return JSONResponse.error(.notFound, "unknown_code", "no such code") }
            return Self.respond(svg, type: "image/svg+xml")
        }
    }

    func landing(_ name: String) async -> Response {
        switch await pages(name) {
        case .refused(let response): return response
        case .found(let pages):
            var response = Self.respond(pages.page.landingHTML(), type: "text/html; charset=utf-8")
            response.headers[HTTPField.Name("Content-Security-Policy")!] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
            return response
        }
    }

    static func respond(_ text: String, type: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: type, .cacheControl: "public, max-age=300", .xContentTypeOptions: "nosniff", .accessControlAllowOrigin: "*"],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
}
