import Foundation

/// A fact of the CRM domain: a small value with a stable type name and schema version.
///
/// The type name is what the log stores and what every projection matches on, so it never changes;
/// a change of shape bumps `schemaVersion` and registers an upcaster (`EventRegistry`) that lifts
/// stored older versions to the current one. `occurredAt` is business time (when it happened in the
/// company), which the simulator sets in the past; the envelope's recorded time says when it was
/// written.
public protocol DomainEvent: Codable, Sendable, Equatable {
    /// Stable name stored in the envelope, e.g. `CustomerRegistered`.
    static var eventType: String { get }
    /// Current schema version of this payload.
    static var schemaVersion: UInt16 { get }
    /// When the fact happened (business time).
    var occurredAt: Date { get }
}

extension DomainEvent {
    public static var schemaVersion: UInt16 { 1 }
    /// The instance's type name.
    public var eventType: String { Self.eventType }
}

/// Compares two existential events.
public func eventsEqual(_ lhs: any DomainEvent, _ rhs: any DomainEvent) -> Bool {
    func open<E: DomainEvent>(_ lhs: E) -> Bool { (rhs as? E) == lhs }
    return open(lhs)
}
