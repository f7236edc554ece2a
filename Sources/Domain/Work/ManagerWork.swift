import Foundation

/// The work plans and work log of one customer manager (`manager-<id>`). Managers are not
/// registered here; the stream starts with the manager's first plan or log entry. The aggregate
/// keeps only the plan and entry ids the rules check; tracking plan against log is a projection.
public struct ManagerWork: Aggregate, Equatable {
    public static let category = "manager"
    public static let eventTypes: [any DomainEvent.Type] = [WorkPlanned.self, WorkPlanRevised.self, WorkLogged.self]

    /// Nil until the manager's first plan or log entry.
    public var id: String?
    /// The current targets of each plan, by plan id.
    public var plans: [String: WorkPlanTargets] = [:]
    /// Every log entry id, so an entry is recorded once.
    public var entryIds: Set<String> = []

    public init() {}

    public mutating func apply(_ event: any DomainEvent) {
        switch event {
        case let e as WorkPlanned:
            id = e.managerId
            plans[e.planId] = e.targets
        case let e as WorkPlanRevised:
            plans[e.planId] = e.targets
        case let e as WorkLogged:
            id = e.managerId
            entryIds.insert(e.entryId)
        default:
            break
        }
    }
}

extension WorkPlanTargets {
    /// The targets with counts in range and notes trimmed.
    func validated() throws(DomainError) -> WorkPlanTargets {
        for (field, count) in [("visits", visits), ("calls", calls), ("customers", customers)] {
            guard (0...Self.maximum).contains(count) else {
                throw .invalid(field: field, reason: "must be between 0 and \(Self.maximum)")
            }
        }
        return WorkPlanTargets(visits: visits, calls: calls, customers: customers, notes: try Validate.optionalText(notes, "notes"))
    }
}
