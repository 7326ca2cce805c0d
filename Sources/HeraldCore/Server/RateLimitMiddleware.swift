import Hummingbird

/// Answers 429 (with `Retry-After`) to a client over its request rate, before any other work is done.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = HeraldRequestContext
    let limiter: ClientRateLimiter
    let seconds: @Sendable () -> Double

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard limiter.admit(context.client, at: seconds()) else {
            var response = JSONResponse.error(.tooManyRequests, "rate_limited", "too many requests from \(context.client); slow down")
            response.headers[.retryAfter] = "1"
            return response
        }
        return try await next(request, context)
    }
}
