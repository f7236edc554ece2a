extension DomainCatalog {
    /// The aggregates of this area of the domain.
    static let customerAggregates: [any Aggregate.Type] = [Customer.self]
    /// Upcasters for this area's events whose schema changed.
    static let customerUpcasters: [EventRegistry.Upcaster] = []
}
