/// The role a token acts under, recorded as the actor's role on every event it causes.
///
/// The role → permission mapping lives here, in one place:
///
/// | role | permissions |
/// |---|---|
/// | `admin` | every permission |
/// | `auditor` | every `*.read` and `audit.export`, nothing that writes |
/// | `manager` | reads and writes of customers, sales, billing, service, marketing and work; analytics |
/// | `agent` | reads and writes of customers, sales, service and work |
/// | `integrator` | exactly the scopes configured on its token, never an admin-only one (`subjects.erase`) |
///
/// Managers and agents get no `log.read` or `audit.read`: the raw log and the audit trail cross
/// every team's customers and cannot be narrowed by the row-level rules (manager → team,
/// agent → own) that customer reads will apply; projector status and rebuilds are operations work.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
    case admin
    case manager
    case agent
    case auditor
    case integrator

    /// What this role may do; an integrator's permissions are its token's scopes instead.
    public func permissions(scopes: Set<Permission> = []) -> Set<Permission> {
        switch self {
        case .admin: Set(Permission.allCases)
        case .auditor: Set(Permission.allCases.filter(\.isRead)).union([.auditExport])
        case .manager:
            [.customersRead, .customersWrite, .salesRead, .salesWrite, .billingWrite, .serviceRead, .serviceWrite,
             .marketingRead, .marketingWrite, .workRead, .workWrite, .analyticsRead]
        case .agent:
            [.customersRead, .customersWrite, .salesRead, .salesWrite, .serviceRead, .serviceWrite, .workRead, .workWrite]
        case .integrator: scopes.filter { !$0.isAdminOnly }
        }
    }
}
