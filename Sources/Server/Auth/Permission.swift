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
    /// Appending raw events to integration streams (`POST /v1/streams/{stream}/events`).
    case streamsAppend = "streams.append"
    /// Commands on customers, contacts, consents, tags and interactions.
    case customersWrite = "customers.write"
    /// Sales read models: pipeline, opportunities, sales cycle, leads.
    case salesRead = "sales.read"
    /// Commands on leads, opportunities, sales processes, quotes and orders.
    case salesWrite = "sales.write"
    /// Commands on invoices and payments.
    case billingWrite = "billing.write"
    /// Service read models: the service queue and cases.
    case serviceRead = "service.read"
    /// Commands on service cases and satisfaction surveys.
    case serviceWrite = "service.write"
    /// Campaign performance.
    case marketingRead = "marketing.read"
    /// Commands on campaigns.
    case marketingWrite = "marketing.write"
    /// Follow-ups, tasks and work plans.
    case workRead = "work.read"
    /// Commands on tasks and work plans.
    case workWrite = "work.write"
    /// Commands on teams and team membership.
    case organisationWrite = "organisation.write"
    /// Analytics cubes, state-cycle and sales-cycle reports.
    case analyticsRead = "analytics.read"
    /// The live event feed (server-sent events).
    case feedRead = "feed.read"
    /// Exporting the audit trail (NDJSON, CSV); recorded as an access event.
    case auditExport = "audit.export"
    /// Prometheus metrics.
    case metricsRead = "metrics.read"
    /// Erasing a data subject (destroying its keys): irreversible, so admins only.
    case subjectsErase = "subjects.erase"

    /// Read-only permissions: what an auditor holds.
    public var isRead: Bool { rawValue.hasSuffix(".read") }

    /// Permissions only the admin role holds: never an integrator's scope.
    public var isAdminOnly: Bool { self == .subjectsErase }

    public static func < (lhs: Permission, rhs: Permission) -> Bool { lhs.rawValue < rhs.rawValue }
}
