import Foundation

/// A sales team was set up: the unit that customer managers belong to and that performance
/// reports roll managers up into.
public struct TeamDefined: DomainEvent {
    public static let eventType = "TeamDefined"
    /// Names the stream `team-<id>`.
    public var teamId: String
    /// What the company calls the team, e.g. `Team North`.
    public var name: String
    /// The region the team serves, in the vocabulary of customer classifications (`north`).
    public var region: String
    public var occurredAt: Date
}

/// A customer manager joined a team, leaving `previousTeamId` if they were in one; on the
/// manager's membership stream (`teammember-<managerId>`), so a manager is in one team at a time.
public struct TeamMemberAssigned: DomainEvent {
    public static let eventType = "TeamMemberAssigned"
    /// The team the manager belongs to from now on.
    public var teamId: String
    /// The customer manager (the id commands name as owner or manager).
    public var managerId: String
    /// The team the manager left, nil on a first assignment.
    public var previousTeamId: String?
    public var occurredAt: Date
}
