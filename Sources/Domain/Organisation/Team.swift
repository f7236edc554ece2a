import Foundation

/// A sales team (`team-<id>`): its name and region. Who belongs to it is recorded per manager
/// (`TeamMembership`), so moving a manager changes one stream and always knows the team left.
public struct Team: Aggregate, Equatable {
    public static let category = "team"
    public static let eventTypes: [any DomainEvent.Type] = [TeamDefined.self]

    /// Nil until the team is defined.
    public var id: String?
    public var name = ""
    public var region = ""

    public init() {}

    /// Whether the team has been defined.
    public var exists: Bool { id != nil }

    public mutating func apply(_ event: any DomainEvent) {
        if let e = event as? TeamDefined {
            id = e.teamId
            name = e.name
            region = e.region
        }
    }
}
