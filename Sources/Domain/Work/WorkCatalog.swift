extension DomainCatalog {
    /// The aggregates of this area of the domain.
    static let workAggregates: [any Aggregate.Type] = [WorkTask.self, ManagerWork.self]
    /// Upcasters for this area's events whose schema changed.
    static let workUpcasters: [EventRegistry.Upcaster] = []
}
