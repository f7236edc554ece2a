/// The event types external systems may append to their own streams that projections understand.
///
/// Every other type in the domain registry belongs to an aggregate and may only be appended by a
/// command's decision; the integration API refuses those, and checks that the data of these
/// decodes as the type says before appending.
public enum IntegrationEvents {
    public static let all: [any DomainEvent.Type] = [ExternalInteractionRecorded.self]

    /// Whether `type` is a known integration event type.
    public static func isIntegrationType(_ type: String) -> Bool {
        all.contains { $0.eventType == type }
    }
}
