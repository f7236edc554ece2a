import Hummingbird
import HTTPTypes

/// Turns the router's 404 for a known path called with the wrong method into 405
/// `method-not-allowed` with an `Allow` header (RFC 9110 §15.5.6).
///
/// The router answers "no route" alike for an unknown path and a known path with another method;
/// it marks both by setting the endpoint to `NotFound`. Sits outside `ProblemMiddleware`, so it
/// sees that 404 as a response and replaces it.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let catalog: RouteCatalog

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        guard response.status == .notFound, context.endpointPath == "NotFound" else { return response }
        let allowed = catalog.methods(for: request.uri.path)
        guard !allowed.isEmpty else { return response }
        let error = APIError(.methodNotAllowed, "\(request.uri.path) does not take \(request.method.rawValue); it takes \(allowed.joined(separator: ", "))")
        return try error.response(path: request.uri.path, headers: [.allow: allowed.joined(separator: ", ")])
    }
}
