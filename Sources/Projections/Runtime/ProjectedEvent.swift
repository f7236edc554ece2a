import Domain
import EventStore

/// One log event as a projector sees it: the full envelope (position, stream, actor, source,
/// recorded time) and, for domain event types, the decoded payload.
public struct ProjectedEvent: Sendable {
    public let envelope: RecordedEvent
    /// Nil for event types the domain registry does not know (integration events).
    public let payload: (any DomainEvent)?

    public init(envelope: RecordedEvent, payload: (any DomainEvent)?) {
        self.envelope = envelope
        self.payload = payload
    }

    /// The log position, which is also the projector's checkpoint once this event is applied.
    public var position: UInt64 { envelope.position }

    /// The payload as `type`, or nil when it is another event.
    public func `as`<E: DomainEvent>(_ type: E.Type) -> E? { payload as? E }
}
