extension DomainCatalog {
    /// The aggregates of this area of the domain.
    static let marketingAggregates: [any Aggregate.Type] = [Campaign.self]
    /// Upcasters for this area's events whose schema changed.
    static let marketingUpcasters: [EventRegistry.Upcaster] = []
}
