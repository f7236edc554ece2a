import Foundation

/// Sets up a sales team with its name and the region it serves; a team is defined once.
public struct DefineTeam: DomainCommand {
    public typealias Target = Team
    public static let commandType = "DefineTeam"
    /// Names the stream `team-<id>`.
    public var teamId: String
    /// What the company calls the team.
    public var name: String
    /// The region, as customer classifications spell it (`north`).
    public var region: String

    /// Defines team `teamId` called `name` for `region`.
    public init(teamId: String, name: String, region: String) {
        self.teamId = teamId
        self.name = name
        self.region = region
    }

    public var targetId: String { teamId }

    public func decide(_ state: Team, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        let id = try Validate.id(teamId, "teamId")
        guard !state.exists else { throw .alreadyExists(kind: "team", id: id) }
        return [TeamDefined(teamId: id, name: try Validate.text(name, "name", max: 100), region: try Validate.id(region, "region"),
                            occurredAt: context.now)]
    }
}

/// Puts a customer manager into a defined team, taking them out of the one they were in. The
/// same team again changes nothing.
public struct AssignManagerToTeam: DomainCommand {
    public typealias Target = TeamMembership
    public static let commandType = "AssignManagerToTeam"
    /// The team the manager joins; must be defined.
    public var teamId: String
    /// Names the stream `teammember-<managerId>`.
    public var managerId: String

    /// Moves `managerId` into `teamId`.
    public init(teamId: String, managerId: String) {
        self.teamId = teamId
        self.managerId = managerId
    }

    public var targetId: String { managerId }
    public var references: [RecordReference] { [.record(Team.self, teamId)] }

    public func decide(_ state: TeamMembership, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        let manager = try Validate.id(managerId, "managerId")
        let team = try Validate.id(teamId, "teamId")
        guard context.record(Team.self, team) != nil else { throw .notFound(kind: "team", id: team) }
        guard state.teamId != team else { return [] }
        return [TeamMemberAssigned(teamId: team, managerId: manager, previousTeamId: state.teamId, occurredAt: context.now)]
    }
}
