extension DomainCatalog {
    /// The aggregates of this area of the domain.
    static let salesAggregates: [any Aggregate.Type] = [Lead.self, SalesProcess.self, Opportunity.self, Quote.self, Order.self]
    /// Upcasters for this area's events whose schema changed.
    static let salesUpcasters: [EventRegistry.Upcaster] = []
}
