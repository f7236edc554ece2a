/// An event-sourced record: one stream `<category>-<id>`, folded from its events by `apply`.
///
/// Aggregates hold only what decisions need; read models live in Projections. Deciding is done by
/// commands (`DomainCommand`), so each rule sits next to the command it guards.
public protocol Aggregate: Sendable {
    /// Stream prefix: `customer` gives streams `customer-<id>`.
    static var category: String { get }
    /// The events this aggregate folds (registered for decoding).
    static var eventTypes: [any DomainEvent.Type] { get }

    /// The state of a stream with no events.
    init()

    /// Folds one event; events of other types are ignored.
    mutating func apply(_ event: any DomainEvent)
}

extension Aggregate {
    /// The stream holding the aggregate with this id.
    public static func stream(_ id: String) -> String { "\(category)-\(id)" }

    /// Folds events onto this state.
    public func applying(_ events: [any DomainEvent]) -> Self {
        var state = self
        for event in events { state.apply(event) }
        return state
    }
}
