import Foundation
import HeraldModel
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /g/{tool}.js` (the website button's or popup form's script), `GET /g/{tool}/qr/{platform}.svg` (its QR
/// codes, `?token=` for a form's), `GET /s/{tool}` (its landing page): public, cacheable for a few minutes.
/// `POST /g/{tool}/submit` (a popup form, CORS for the tool's origins only, rate-limited per client) and
/// `POST /g/{tool}/view` (the views beacon). No cookies anywhere.
struct GrowthRoutes: Sendable {
    let settings: ConfigurationHolder
    let store: HeraldStore
    let metrics: HeraldMetrics
    /// Submissions per client: a burst of 5, then one every 12 s.
    let submissions: ClientRateLimiter
    let seconds: @Sendable () -> Double
    let now: @Sendable () -> Date
    /// 16 random bytes per token (tests give their own generator).
    let randomBytes: @Sendable () -> [UInt8]
    let cache = GrowthToolCache()

    init(
        settings: ConfigurationHolder, store: HeraldStore, metrics: HeraldMetrics, seconds: @escaping @Sendable () -> Double,
        now: @escaping @Sendable () -> Date = Date.init, randomBytes: @escaping @Sendable () -> [UInt8] = GrowthRoutes.systemRandomBytes
    ) {
        self.settings = settings
        self.store = store
        self.metrics = metrics
        self.submissions = ClientRateLimiter(rate: 1.0 / 12, burst: 5)
        self.seconds = seconds
        self.now = now
        self.randomBytes = randomBytes
    }

    @Sendable static func systemRandomBytes() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    func register(on router: Router<HeraldRequestContext>) {
        // One parameter name per position: Hummingbird refuses /g/{file} beside /g/{tool}/qr/{file}.
        router.get("/g/:tool") { request, context in await script(context.parameters.get("tool") ?? "", request: request) }
        router.get("/g/:tool/qr/:file") { request, context in
            await qr(context.parameters.get("tool") ?? "", file: context.parameters.get("file") ?? "", token: request.uri.queryParameters["token"].map(String.init))
        }
        router.get("/s/:tool") { request, context in await landing(context.parameters.get("tool") ?? "", request: request) }
        router.post("/g/:tool/submit") { request, context in await submit(context.parameters.get("tool") ?? "", request: request, context: context) }
        router.on("/g/:tool/submit", method: .options) { request, context in await preflight(context.parameters.get("tool") ?? "", request: request) }
        router.post("/g/:tool/view") { request, context in await view(context.parameters.get("tool") ?? "", request: request) }
    }

    /// The tool ready to serve, or the response that says why it cannot be.
    enum Lookup {
        case found(GrowthToolPages)
        case refused(Response)
    }

    func pages(_ name: String) async -> Lookup {
        switch await entry(name) {
        case .success(let entry): .found(entry.pages)
        case .failure(let refusal): .refused(refusal.response)
        }
    }

    /// Why a tool cannot be served, as the answer that says so.
    struct Refusal: Error {
        var response: Response
    }

    /// The tool as served: from the cache while neither it nor the configuration changed.
    func entry(_ name: String) async -> Result<GrowthToolCache.Entry, Refusal> {
        let generation = settings.generation
        let configuration = settings.configuration
        let tool: StoredGrowthTool?
        do { tool = try await store.growthTool(named: name) } catch { return .failure(Refusal(response: JSONResponse.error(.serviceUnavailable, "unavailable", "try again"))) }
        guard let tool else { return .failure(Refusal(response: JSONResponse.error(.notFound, "unknown_tool", "no such growth tool"))) }
        if let entry = cache.entry(name, updatedAt: tool.updatedAt, generation: generation) { return .success(entry) }
        let pages: GrowthToolPages
        do {
            pages = try GrowthToolPages(tool, configuration: configuration, baseURL: configuration.http.publicURL ?? "")
        } catch {
            return .failure(Refusal(response: JSONResponse.error(.serviceUnavailable, "tool_unavailable", "this growth tool cannot be served with the current configuration")))
        }
        let base = (configuration.http.publicURL ?? "") + "/g/" + name
        let script = pages.page.form == nil ? pages.page.script(viewURL: base + "/view") : pages.page.formScript(submitURL: base + "/submit", viewURL: base + "/view")
        let entry = GrowthToolCache.Entry(updatedAt: tool.updatedAt, generation: generation, pages: pages, script: script, gzippedScript: Gzip.compress(Array(script.utf8)))
        cache.store(name, entry)
        return .success(entry)
    }

    var baseURL: String { settings.configuration.http.publicURL ?? "" }

    func script(_ file: String, request: Request) async -> Response {
        guard file.hasSuffix(".js") else { return JSONResponse.error(.notFound, "unknown_tool", "no such growth tool") }
        switch await entry(String(file.dropLast(3))) {
        case .failure(let refusal): return refusal.response
        case .success(let entry):
            var response = Self.respond(entry.script, type: "text/javascript; charset=utf-8")
            response.headers[.vary] = "Accept-Encoding"
            if Self.acceptsGzip(request.headers[.acceptEncoding]), let gzipped = entry.gzippedScript {
                response.headers[.contentEncoding] = "gzip"
                response.body = .init(byteBuffer: ByteBuffer(bytes: gzipped))
            }
            return response
        }
    }

    func qr(_ name: String, file: String, token text: String?) async -> Response {
        guard file.hasSuffix(".svg"), let platform = Platform(rawValue: String(file.dropLast(4))) else { return JSONResponse.error(.notFound, "unknown_code", "no such code") }
        var token: OptInToken?
        if let text {
            guard let valid = OptInToken(text) else { return JSONResponse.error(.badRequest, "invalid_token", "a token is 22 characters of A–Z, a–z, 0–9, _ and -") }
            token = valid
        }
        switch await pages(name) {
        case .refused(let response): return response
        case .found(let pages):
            // A token's code is one person's and rendered each time; the tool's own are rendered once.
            let rendered = token == nil ? try? cache.code(name, key: platform.rawValue) { try pages.qrSVG(platform) } : try? pages.qrSVG(platform, token: token)
            guard let svg = rendered else { return JSONResponse.error(.notFound, "unknown_code", "no such code") }
            var response = Self.respond(svg, type: "image/svg+xml")
            // A token's code is one person's: not for shared caches.
            if token != nil { response.headers[.cacheControl] = "private, no-store" }
            return response
        }
    }

    func landing(_ name: String, request: Request) async -> Response {
        switch await pages(name) {
        case .refused(let response): return response
        case .found(let pages):
            try? await store.countGrowthView(tool: name, human: Self.isPerson(request), now: now())
            var response = Self.respond(pages.page.landingHTML(), type: "text/html; charset=utf-8")
            response.headers[HTTPField.Name("Content-Security-Policy")!] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
            return response
        }
    }

    /// The views beacon: counted for a person's browser on one of the tool's origins (any site when it names none).
    func view(_ name: String, request: Request) async -> Response {
        switch await pages(name) {
        case .refused(let response): return response
        case .found(let pages):
            let origin = request.headers[.origin]
            if let origins = pages.job.settings.origins, !origins.contains(origin?.lowercased() ?? "") {
                return JSONResponse.error(.forbidden, "origin_not_allowed", "this tool counts views from its own sites only")
            }
            try? await store.countGrowthView(tool: name, human: Self.isPerson(request), now: now())
            var response = Response(status: .noContent, headers: [.cacheControl: "no-store"])
            if let origin { response.headers[.accessControlAllowOrigin] = origin }
            return response
        }
    }

    /// The CORS preflight of a form's submission (sent by browsers for a JSON content type).
    func preflight(_ name: String, request: Request) async -> Response {
        switch await pages(name) {
        case .refused(let response): return response
        case .found(let pages):
            guard let origin = allowedOrigin(request, pages) else { return JSONResponse.error(.forbidden, "origin_not_allowed", "this form accepts submissions from its own sites only") }
            return Response(status: .noContent, headers: [
                .accessControlAllowOrigin: origin, .accessControlAllowMethods: "POST", .accessControlAllowHeaders: "Content-Type",
                .accessControlMaxAge: "600", .vary: "Origin",
            ])
        }
    }

    /// A popup form's submission: the origin, the client's rate, the size and the content type are checked
    /// before anything is parsed; the answer is the token and the links that carry it.
    func submit(_ name: String, request: Request, context: HeraldRequestContext) async -> Response {
        let pages: GrowthToolPages
        switch await self.pages(name) {
        case .refused(let response): return response
        case .found(let found): pages = found
        }
        guard let form = pages.page.form else { return JSONResponse.error(.notFound, "not_a_form", "growth tool \(name) is not a popup form") }
        guard let origin = allowedOrigin(request, pages) else {
            metrics.growthSubmission(outcome: "forbidden_origin")
            return JSONResponse.error(.forbidden, "origin_not_allowed", "this form accepts submissions from its own sites only")
        }
        func answer(_ response: Response) -> Response {
            var response = response
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.vary] = "Origin"
            response.headers[.cacheControl] = "no-store"
            return response
        }
        guard submissions.admit(Self.client(request, context), at: seconds()) else {
            metrics.growthSubmission(outcome: "rate_limited")
            var response = JSONResponse.error(.tooManyRequests, "rate_limited", "Too many forms sent from here; please wait a minute.")
            response.headers[.retryAfter] = "12"
            return answer(response)
        }
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard type.hasPrefix("application/json") || type.hasPrefix("text/plain") else {
            metrics.growthSubmission(outcome: "rejected")
            return answer(JSONResponse.error(.unsupportedMediaType, "unsupported_media_type", "send the form as JSON (application/json or text/plain)"))
        }
        let timeout = settings.configuration.http.requestTimeoutSeconds
        let body: ByteBuffer
        switch await RequestBody.collect(request, limit: FormSubmission.maxBodyBytes, timeout: timeout, limitName: "a form's limit") {
        case .failure(let response):
            metrics.growthSubmission(outcome: "rejected")
            return answer(response)
        case .success(let buffer): body = buffer
        }
        let token = OptInToken(randomBytes: randomBytes())
        let intake: FormIntake
        do {
            intake = try await store.submitForm(tool: name, fields: form.fields, consent: form.consent, body: Array(buffer: body), token: token, now: now())
        } catch {
            return answer(JSONResponse.error(.serviceUnavailable, "unavailable", "This could not be saved right now; please try again."))
        }
        switch intake {
        case .rejected(let problems):
            metrics.growthSubmission(outcome: "rejected")
            var object: JSONObject = ["error": .string("invalid_submission"), "message": .string("Please check the form.")]
            object.insert("problems", .array(problems.map { .object(["field": .string($0.field), "message": .string($0.message)]) }))
            return answer(JSONResponse.ok(object, status: .unprocessableContent))
        case .pending(let token), .honeypot(let token):
            if case .honeypot = intake { metrics.growthSubmission(outcome: "honeypot") } else { metrics.growthSubmission(outcome: "accepted") }
            let links = pages.links(carrying: token, baseURL: baseURL)
            return answer(JSONResponse.ok([
                "token": .string(token.text),
                "expires_in": .number(String(Int(HeraldStore.optInLifetime))),
                "links": .array(links.map { .object(["platform": .string($0.platform.rawValue), "label": .string($0.label), "url": .string($0.url), "qr": .string($0.qrURL)]) }),
            ]))
        }
    }

    /// The request's `Origin` when it is one of the tool's sites.
    func allowedOrigin(_ request: Request, _ pages: GrowthToolPages) -> String? {
        guard let origin = request.headers[.origin]?.lowercased(), (pages.job.settings.origins ?? []).contains(origin) else { return nil }
        return origin
    }

    /// The client a submission is counted against: the peer, or behind a reverse proxy on this machine the
    /// address it forwarded (`X-Forwarded-For`, last hop: the one the proxy itself added).
    static func client(_ request: Request, _ context: HeraldRequestContext) -> String {
        let loopback = context.client == "127.0.0.1" || context.client == "::1" || context.client.hasPrefix("::ffff:127.")
        guard loopback, let forwarded = request.headers[.xForwardedFor] else { return context.client }
        return forwarded.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? context.client
    }

    /// Whether `Accept-Encoding` takes gzip (by name or `*`) with a quality above 0.
    static func acceptsGzip(_ header: String?) -> Bool {
        for part in (header ?? "").lowercased().split(separator: ",") {
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.first == "gzip" || fields.first == "*" else { continue }
            let quality = fields.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return quality > 0
        }
        return false
    }

    static func isPerson(_ request: Request) -> Bool {
        let purpose = [HTTPField.Name.secPurpose, .purpose, .xPurpose, .xMoz].lazy.compactMap { request.headers[$0] }.first
        return GrowthVisit.isPerson(userAgent: request.headers[.userAgent], purpose: purpose)
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
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let secPurpose = HTTPField.Name("Sec-Purpose")!
    static let purpose = HTTPField.Name("Purpose")!
    static let xPurpose = HTTPField.Name("X-Purpose")!
    static let xMoz = HTTPField.Name("X-Moz")!
}
