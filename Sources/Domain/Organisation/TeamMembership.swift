import Foundation

/// The team a customer manager belongs to (`teammember-<managerId>`). Kept per manager rather
/// than on the team's stream so that a move between teams is one append that names the team left,
/// and "which team is this manager in" is one stream read.
public struct TeamMembership: Aggregate, Equatable {
    public static let category = "teammember"
    public static let eventTypes: [any DomainEvent.Type] = [TeamMemberAssigned.self]

    /// Nil until the manager's first assignment.
    public var managerId: String?
    /// The manager's current team.
    public var teamId: String?

    public init() {}

    public mutating func apply(_ event: any DomainEvent) {
        if let e = event as? TeamMemberAssigned {
            managerId = e.managerId
            teamId = e.teamId
        }
    }
}
