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
        guard let bearer = Self.bearerToken(header) else {
            throw APIError(.unauthenticated, "the Authorization header must be 'Bearer <token>'")
        }
        do {
            context.principal = try tokens.verify(bearer)
        } catch .storage(let detail) {
            throw APIError(.internalError, "the token store failed: \(detail)")
        } catch {
            throw APIError(.unauthenticated, error.description)
        }
        context.logger[metadataKey: "actor"] = .string(context.principal!.user)
        return try await next(request, context)
    }

    /// The token of an `Authorization` value: after the scheme `Bearer` (any case) and a space,
    /// without the spaces and tabs around it (HTTP's optional whitespace); nil for another scheme
    /// or an empty token. Byte-wise: this runs on every request, and Foundation's trimming and
    /// lower-casing cost more than the rest of the check.
    static func bearerToken(_ header: String) -> Substring? {
        let bytes = header.utf8
        let scheme = "bearer ".utf8
        guard bytes.count > scheme.count,
              bytes.prefix(scheme.count).elementsEqual(scheme, by: { (0x41...0x5A).contains($0) ? $0 | 0x20 == $1 : $0 == $1 })
        else { return nil }
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        var start = bytes.index(bytes.startIndex, offsetBy: scheme.count)
        var end = bytes.endIndex
        while start < end, isSpace(bytes[start]) { start = bytes.index(after: start) }
        while end > start, isSpace(bytes[bytes.index(before: end)]) { end = bytes.index(before: end) }
        return start < end ? header[start..<end] : nil
    }
}
