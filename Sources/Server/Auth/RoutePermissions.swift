import HTTPTypes

/// What each route requires: nothing (public) or one permission. The one table of access rules.
///
/// | route | permission |
/// |---|---|
/// | `GET /health` | public |
/// | `GET /v1/log/head`, `/v1/events`, `/v1/events/{position}` | `log.read` |
/// | `GET /v1/streams/{stream}`, `/v1/streams/{stream}/events` | `log.read` |
/// | `GET /v1/audit/events`, `/v1/audit/access`, `/v1/audit/verify` | `audit.read` |
/// | `GET /v1/audit/export` | `audit.export` |
/// | `GET /v1/feed` | `feed.read` |
/// | `GET /v1/stats` | `stats.read` |
/// | `GET /v1/projections`, `/v1/projections/{name}` | `projections.read` |
/// | `POST /v1/projections/{name}/rebuild` | `projections.rebuild` |
/// | `GET /v1/customers/{id}` | `customers.read` |
/// | `POST /v1/subjects/{id}/erase` | `subjects.erase` (admins only) |
/// | `GET /v1/subjects/{id}/access-log` | `audit.read` |
///
/// Routes are keyed by method and the router's path pattern (`context.endpointPath`). A route the
/// router knows but this table does not is refused with 500 (`AuthorizationMiddleware`): a new
/// route cannot become reachable by accident without an access rule.
enum RoutePermissions {
    /// The requirement of one route.
    enum Requirement: Equatable, Sendable {
        /// Anyone may call it, without a token (liveness, readiness).
        case none
        /// The caller must be authenticated and hold this permission.
        case permission(Permission)
    }

    /// Paths that need no token; `AuthenticationMiddleware` lets them through before routing rules.
    static let publicPaths: Set<String> = ["/health", "/ready", "/openapi.json"]

    /// Every route's rule: the routes below, and those of each route group, kept beside the
    /// group in `RoutePermissions+<Group>.swift`. A route listed twice stops the process at start.
    static let table: [String: Requirement] = {
        var all = core
        for part in [commands, queries, feed, operations, subjects] {
            all.merge(part) { _, _ in preconditionFailure("a route has two access rules") }
        }
        return all
    }()

    /// The log, audit, stats and projector routes.
    static let core: [String: Requirement] = [
        "GET /health": .none,
        "GET /openapi.json": .none,
        "GET /v1/log/head": .permission(.logRead),
        "GET /v1/events": .permission(.logRead),
        "GET /v1/events/{position}": .permission(.logRead),
        "GET /v1/streams/{stream}": .permission(.logRead),
        "GET /v1/streams/{stream}/events": .permission(.logRead),
        "GET /v1/audit/events": .permission(.auditRead),
        "GET /v1/audit/verify": .permission(.auditRead),
        "GET /v1/audit/access": .permission(.auditRead),
        "GET /v1/audit/export": .permission(.auditExport),
        "GET /v1/stats": .permission(.statsRead),
        "GET /v1/projections": .permission(.projectionsRead),
        "GET /v1/projections/{name}": .permission(.projectionsRead),
        "POST /v1/projections/{name}/rebuild": .permission(.projectionsRebuild),
    ]

    /// The requirement of `method endpointPath`, or nil when the table has no entry.
    static func requirement(_ method: HTTPRequest.Method, _ endpointPath: String) -> Requirement? {
        table["\(method.rawValue) \(endpointPath)"]
    }
}
