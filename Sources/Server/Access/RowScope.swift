/// The records a caller may see and change: the row-level half of authorisation (the route's
/// permission is the other half, `RoutePermissions`).
///
/// - `admin`, `auditor` and `integrator`: every record.
/// - `manager`: the customers managed by anyone in the manager's team (and their opportunities,
///   cases, invoices…), because managers cover for each other within a team.
/// - `agent`: the customers it manages itself, and the cases assigned to it.
///
/// A token's user name is the manager id the domain uses (`ownerId`, `managerId`, `assigneeId`).
/// Lists, cubes and exports filter by the scope; a single record outside it is answered as 404 on
/// reads (its existence is not revealed) and 403 `forbidden` on commands.
enum RowScope: Sendable, Equatable {
    /// No restriction.
    case all
    /// Only records whose manager (owner, assignee) is one of these.
    case managers(Set<String>)

    /// The scope of `principal`, resolving a manager's team from `teams`.
    static func of(_ principal: Principal, teams: TeamDirectory) throws -> RowScope {
        switch principal.role {
        case .admin, .auditor, .integrator: .all
        case .manager: .managers(try teams.teamMates(of: principal.user))
        case .agent: .managers([principal.user])
        }
    }

    /// Whether a record managed (owned, assigned) by `manager` is in scope; a record without a
    /// manager is in scope only for unrestricted callers.
    func allows(manager: String?) -> Bool {
        switch self {
        case .all: true
        case .managers(let managers): manager.map(managers.contains) ?? false
        }
    }

    /// Whether a record with any of these managers (customer manager, case assignee…) is in scope.
    func allows(anyOf managers: [String?]) -> Bool {
        managers.contains { allows(manager: $0) }
    }
}
