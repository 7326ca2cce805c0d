import Foundation
import HeraldModel
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The platforms' doors: Messenger's verification and signed POSTs, Telegram's per-bot webhook, and the
/// health probes. A webhook body is checked (signature, secret, size) and stored before it is answered; it is
/// parsed only later, by the processor.
struct WebhookRoutes: Sendable {
    let settings: ConfigurationHolder
    let journal: InboundJournal
    let store: HeraldStore
    let status: DaemonStatus
    let logger: Logger

    func register(on router: Router<HeraldRequestContext>) {
        router.get("/healthz") { _, _ in JSONResponse.ok(["status": .string("alive")]) }
        router.get("/readyz") { _, _ in await ready() }
        router.get("/webhooks/messenger") { request, _ in verify(request) }
        router.post("/webhooks/messenger") { request, _ in await messenger(request) }
        router.post("/webhooks/telegram/:account") { request, context in await telegram(request, account: context.parameters.get("account") ?? "") }
    }

    func ready() async -> Response {
        guard status.line.hasPrefix("ready") else {
            return JSONResponse.error(.serviceUnavailable, "not_ready", "the spool is not recovered yet (\(status.line))")
        }
        do {
            try await store.checkWritable(now: Date())
        } catch {
            return JSONResponse.error(.serviceUnavailable, "database_unwritable", "the database refuses writes: \(error)")
        }
        return JSONResponse.ok(["status": .string("ready")])
    }

    /// Meta's subscription check: echo `hub.challenge` when `hub.verify_token` is one of ours.
    func verify(_ request: Request) -> Response {
        let query = request.uri.queryParameters
        let tokens = settings.configuration.accounts.values.compactMap { $0.platform == .messenger ? $0.verifyToken?.value : nil }
        guard query.get("hub.mode") == "subscribe", let token = query.get("hub.verify_token"), let challenge = query.get("hub.challenge"),
              tokens.contains(where: { WebhookSignature.constantTimeEqual($0, token) })
        else {
            logger.warning("Messenger webhook verification refused (wrong or missing hub.verify_token)", metadata: ["event": "webhook_refused", "platform": "messenger"])
            return JSONResponse.error(.forbidden, "verification_failed", "hub.mode must be subscribe and hub.verify_token must match a configured verify token")
        }
        return JSONResponse.text(challenge)
    }

    func messenger(_ request: Request) async -> Response {
        let secrets = Array(Set(settings.configuration.accounts.values.compactMap { $0.platform == .messenger ? $0.appSecret?.value : nil }))
        guard !secrets.isEmpty else {
            return JSONResponse.error(.forbidden, "no_app_secret", "no Messenger account has an app secret (app_secret_file), so no webhook can be verified")
        }
        let body: ByteBuffer
        switch await collect(request) {
        case .success(let buffer): body = buffer
        case .failure(let response): return response
        }
        let bytes = body.readableBytesView
        guard WebhookSignature.isValid(request.headers[.xHubSignature256], body: bytes, secrets: secrets) else {
            logger.warning("Messenger webhook with a missing or wrong X-Hub-Signature-256 refused", metadata: ["event": "webhook_refused", "platform": "messenger"])
            return JSONResponse.error(.forbidden, "bad_signature", "X-Hub-Signature-256 is missing or does not sign this body with the app secret")
        }
        return await store(InboundBody(platform: .messenger, account: nil, body: Array(bytes)), answer: JSONResponse.text("EVENT_RECEIVED"))
    }

    func telegram(_ request: Request, account name: String) async -> Response {
        guard let account = settings.configuration.accounts[name], account.platform == .telegram else {
            return JSONResponse.error(.notFound, "unknown_account", "no Telegram account named \(name)")
        }
        guard let secret = account.webhookSecret?.value, let given = request.headers[.xTelegramSecretToken], WebhookSignature.constantTimeEqual(secret, given) else {
            logger.warning("Telegram webhook for \(name) with a missing or wrong secret token refused", metadata: ["event": "webhook_refused", "platform": "telegram", "account": "\(name)"])
            return JSONResponse.error(.forbidden, "bad_secret", "X-Telegram-Bot-Api-Secret-Token is missing or wrong")
        }
        let body: ByteBuffer
        switch await collect(request) {
        case .success(let buffer): body = buffer
        case .failure(let response): return response
        }
        return await store(InboundBody(platform: .telegram, account: name, body: Array(body.readableBytesView)), answer: JSONResponse.ok())
    }

    private func collect(_ request: Request) async -> RequestBody.Collected {
        let http = settings.configuration.http
        return await RequestBody.collect(request, limit: http.maxBodyBytes, timeout: http.requestTimeoutSeconds, limitName: "max_body_bytes")
    }

    private func store(_ body: InboundBody, answer: Response) async -> Response {
        do {
            try await journal.append(body)
            return answer
        } catch {
            // Not stored: the platform retries a 5xx, so nothing is lost.
            return JSONResponse.error(.serviceUnavailable, "not_stored", "the body could not be stored (\(error)); send it again")
        }
    }
}

extension HTTPField.Name {
    static let xHubSignature256 = HTTPField.Name("X-Hub-Signature-256")!
    static let xTelegramSecretToken = HTTPField.Name("X-Telegram-Bot-Api-Secret-Token")!
}
