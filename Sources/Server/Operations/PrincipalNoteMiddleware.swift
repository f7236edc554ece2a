import Hummingbird

/// Records the authenticated caller on the request's `RequestNote` for the request log; placed
/// right after `AuthenticationMiddleware`.
struct PrincipalNoteMiddleware: RouterMiddleware {
    typealias Context = CRMRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let principal = context.principal {
            context.note?.principal = "\(principal.user)/\(principal.role.rawValue)"
        }
        return try await next(request, context)
    }
}
