extension DomainCatalog {
    /// The aggregates of this area of the domain.
    static let organisationAggregates: [any Aggregate.Type] = [Team.self, TeamMembership.self]
    /// Upcasters for this area's events whose schema changed.
    static let organisationUpcasters: [EventRegistry.Upcaster] = []
}
