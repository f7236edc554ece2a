import Hummingbird
import HTTPTypes

/// Checks the matched route's permission (`RoutePermissions`) against the authenticated
/// principal: 403 `forbidden` naming the missing permission when the role may not act.
///
/// Router middleware runs after the route is matched, so `context.endpointPath` is the route's
/// pattern (`/v1/events/{position}`); unknown routes reach the router's 404 instead.
struct AuthorizationMiddleware: RouterMiddleware {
    typealias Context = CRMRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let endpoint = context.endpointPath else { return try await next(request, context) }
        guard let requirement = RoutePermissions.requirement(request.method, endpoint) else {
            throw APIError(.internalError, "no access rule is defined for \(request.method) \(endpoint)")
        }
        guard case .permission(let permission) = requirement else { return try await next(request, context) }
        guard let principal = context.principal else {
            throw APIError(.unauthenticated, "this route needs Authorization: Bearer <token>")
        }
        guard principal.may(permission) else {
            throw APIError.forbidden(permission, role: principal.role)
        }
        return try await next(request, context)
    }
}
