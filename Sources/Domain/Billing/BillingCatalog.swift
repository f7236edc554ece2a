extension DomainCatalog {
    /// The aggregates of this area of the domain.
    static let billingAggregates: [any Aggregate.Type] = [Invoice.self]
    /// Upcasters for this area's events whose schema changed.
    static let billingUpcasters: [EventRegistry.Upcaster] = []
}
