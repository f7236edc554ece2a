/// One thing a caller may do through the API, named `area.verb` as it appears in a 403 answer,
/// in integrator scopes and in `crm token create --scope`.
///
/// Every route names exactly one permission (`RoutePermissions`); a role is a set of them
/// (`Role.permissions`). Adding a case is how a new kind of access comes into being, so a typo in
/// a scope is refused when the token is created instead of silently granting nothing.
public enum Permission: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// The raw log: head, pages, single events, streams.
    case logRead = "log.read"
    /// The audit trail by actor or time window, and the chain verification.
    case auditRead = "audit.read"
    /// Projector status.
    case projectionsRead = "projections.read"
    /// Rebuilding a read model.
    case projectionsRebuild = "projections.rebuild"
    /// Customer read models (the customer 360).
    case customersRead = "customers.read"
    /// Store statistics.
    case statsRead = "stats.read"
    /// Appending through commands (no route uses it yet; roles hold it so commands can require it).
    case streamsAppend = "streams.append"

    /// Read-only permissions: what an auditor holds.
    public var isRead: Bool { rawValue.hasSuffix(".read") }

    public static func < (lhs: Permission, rhs: Permission) -> Bool { lhs.rawValue < rhs.rawValue }
}
