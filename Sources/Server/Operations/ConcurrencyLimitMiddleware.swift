import Hummingbird
import HTTPTypes

/// Refuses a request with 429 `too-many-requests` and `Retry-After` when
/// `ServerConfiguration.maxConcurrentRequests` are already being served.
///
/// The probes (`/health`, `/ready`) always pass, so an orchestrator does not restart a busy but
/// healthy instance. The slot is held until the handler returns (a streamed body is not counted
/// while it streams; the event feed has its own subscriber limit).
struct ConcurrencyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let gate: RequestGate
    let retryAfterSeconds: Int

    static var exempt: Set<String> { ["/health", "/ready"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.exempt.contains(request.uri.path) { return try await next(request, context) }
        guard gate.enter() else {
            let error = APIError(.tooManyRequests, "the server is serving \(gate.limit) requests at once, its limit; retry after \(retryAfterSeconds) s")
            return try error.response(path: request.uri.path, headers: [.retryAfter: String(retryAfterSeconds)])
        }
        defer { gate.leave() }
        return try await next(request, context)
    }
}
