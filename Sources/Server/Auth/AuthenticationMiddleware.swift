import Foundation
import Hummingbird
import HTTPTypes
import Logging

/// Resolves `Authorization: Bearer <token>` into the context's `principal`.
///
/// Public paths (`RoutePermissions.publicPaths`) pass without a token; every other request —
/// including one for a route that does not exist, so unauthenticated callers cannot map the API —
/// needs a valid token or gets 401 `unauthenticated`. Missing, malformed, unknown, revoked and
/// expired tokens are all 401; the detail says which of the last two applies only when the secret
/// matched.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = CRMRequestContext
    let tokens: TokenStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.userAgent = request.headers[.userAgent]
        if RoutePermissions.publicPaths.contains(request.uri.path) {
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthenticated, "this route needs Authorization: Bearer <token>; create one with `crm token create`")
        }
        let scheme = "bearer "
        guard header.count > scheme.count, header.prefix(scheme.count).lowercased() == scheme else {
            throw APIError(.unauthenticated, "the Authorization header must be 'Bearer <token>'")
        }
        let bearer = header.dropFirst(scheme.count).trimmingCharacters(in: .whitespaces)
        do {
            context.principal = try tokens.verify(bearer)
        } catch .storage(let detail) {
            throw APIError(.internalError, "the token store failed: \(detail)")
        } catch {
            throw APIError(.unauthenticated, error.description)
        }
        context.logger[metadataKey: "actor"] = "\(context.principal!.user)"
        return try await next(request, context)
    }
}
