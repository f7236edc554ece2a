/// A request to change one aggregate: `decide(state, context) -> [events]` or the rule it breaks.
///
/// Deciding is pure: everything besides the target's own state arrives in the context (business
/// time, configuration, and the other records the command names in `references`, loaded by the
/// handler before deciding). A command has a stable type name so that command files (imports, the
/// simulator) and the API share one vocabulary.
public protocol DomainCommand: Codable, Sendable {
    associatedtype Target: Aggregate

    /// Stable name, e.g. `RegisterCustomer`.
    static var commandType: String { get }

    /// The id of the aggregate the command changes (its stream is `Target.stream(targetId)`).
    var targetId: String { get }

    /// Other records the decision reads (e.g. the customer an opportunity belongs to).
    var references: [RecordReference] { get }

    /// The new events, or the rule this command breaks in `state`.
    func decide(_ state: Target, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent]
}

extension DomainCommand {
    public var references: [RecordReference] { [] }
}

/// Loads aggregate states: the command handler (from the log and its cache) and a command batch
/// (which also sees the events its earlier commands decided but has not appended yet).
public protocol AggregateLoader {
    /// The aggregate's state and the stream version it reflects (0: no stream).
    func load<A: Aggregate>(_ type: A.Type, id: String) throws -> (state: A, version: UInt64)
}

/// Names another aggregate a command needs to see.
public struct RecordReference: Sendable, Hashable {
    let load: @Sendable (any AggregateLoader) throws -> (any Aggregate)?
    public let stream: String

    public static func == (lhs: RecordReference, rhs: RecordReference) -> Bool { lhs.stream == rhs.stream }
    public func hash(into hasher: inout Hasher) { hasher.combine(stream) }

    /// The aggregate `A` with `id`; loaded as nil when its stream does not exist or the id is malformed.
    public static func record<A: Aggregate>(_ type: A.Type, _ id: String) -> RecordReference {
        RecordReference(load: { loader in
            // A malformed id names no record; the command's own validation then refuses it by name
            // instead of the lookup failing on a key LMDB cannot hold.
            guard (try? Validate.id(id, "id")) != nil else { return nil }
            let (state, version) = try loader.load(A.self, id: id)
            return version == 0 ? nil : state
        }, stream: A.stream(id))
    }
}
