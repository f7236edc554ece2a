extension DomainCatalog {
    /// The aggregates of this area of the domain.
    static let serviceAggregates: [any Aggregate.Type] = [ServiceCase.self, SatisfactionSurvey.self]
    /// Upcasters for this area's events whose schema changed.
    static let serviceUpcasters: [EventRegistry.Upcaster] = []
}
