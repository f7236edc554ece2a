extension EventRegistry {
    /// Every event type of the CRM domain (the aggregates' and the known integration types),
    /// with the upcasters for older schema versions.
    public static let domain = EventRegistry(
        types: DomainCatalog.aggregates.flatMap { $0.eventTypes } + IntegrationEvents.all,
        upcasters: DomainCatalog.upcasters)
}

/// The aggregates of the domain and the upcasters of their events, in one place.
public enum DomainCatalog {
    /// Every aggregate type; each area of the domain lists its own.
    public static let aggregates: [any Aggregate.Type] =
        customerAggregates + salesAggregates + billingAggregates + serviceAggregates + marketingAggregates + workAggregates
            + organisationAggregates

    /// Upcasters of every event whose schema changed.
    public static let upcasters: [EventRegistry.Upcaster] =
        customerUpcasters + salesUpcasters + billingUpcasters + serviceUpcasters + marketingUpcasters + workUpcasters
            + organisationUpcasters
}
