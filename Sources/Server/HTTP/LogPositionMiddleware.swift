import EventStore
import Hummingbird
import HTTPTypes

/// Makes sure every response says which log head it reflects.
///
/// Handlers that read the log set `X-Log-Position` themselves to the head they read at; for the
/// rest (health, errors, unknown routes) the current head is stamped here.
struct LogPositionMiddleware<Context: RequestContext>: RouterMiddleware {
    let store: EventStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if response.headers[.logPosition] == nil, let head = try? store.head() {
            response.headers[.logPosition] = String(head.position)
        }
        return response
    }
}
