import EventStore
import Foundation

/// Decides a run of commands against in-memory aggregate states and appends all their events in one
/// atomic multi-stream append: the fast path of imports.
///
/// Each command sees the effects of the commands before it in the batch (its loads go through the
/// batch), each keeps its own actor and source (per-part metadata), and each part carries the
/// expected version its decision was based on, so the whole batch fails cleanly (and is redecided)
/// if anyone else wrote to one of its streams meanwhile. A refused command contributes nothing.
public final class CommandBatch: AggregateLoader {
    public let handler: CommandHandler
    private var states: [String: (state: any Aggregate, version: UInt64)] = [:]
    private var parts: [StreamAppend] = []
    /// Events decided so far.
    public private(set) var eventCount = 0

    public init(handler: CommandHandler) {
        self.handler = handler
    }

    public var isEmpty: Bool { parts.isEmpty }

    public func load<A: Aggregate>(_ type: A.Type, id: String) throws -> (state: A, version: UInt64) {
        let stream = A.stream(id)
        if let known = states[stream], let state = known.state as? A { return (state, known.version) }
        let loaded = try handler.load(A.self, id: id)
        states[stream] = (loaded.state, loaded.version)
        return loaded
    }

    /// Records `events` for the aggregate `id` as decided against its current batch state.
    public func emit<A: Aggregate>(_ events: [any DomainEvent], to type: A.Type, id: String, eventIds: [UUID], metadata: AppendMetadata) throws {
        guard !events.isEmpty else { return }
        let (state, version) = try load(A.self, id: id)
        let proposed = try events.enumerated().map { index, event in
            try handler.registry.encode(event, id: index < eventIds.count ? eventIds[index] : .timeOrdered())
        }
        parts.append(StreamAppend(stream: A.stream(id), expected: version == 0 ? .noStream : .exact(version), events: proposed, metadata: metadata))
        states[A.stream(id)] = (state.applying(events), version + UInt64(events.count))
        eventCount += events.count
    }

    /// Decides a single-aggregate command and records its events.
    @discardableResult
    public func execute<C: DomainCommand>(_ command: C, context: DecisionContext, metadata: AppendMetadata, eventIds: [UUID]) throws -> [any DomainEvent] {
        let context = try context.resolving(command.references, with: self)
        let (state, _) = try load(C.Target.self, id: command.targetId)
        let events = try command.decide(state, context)
        try emit(events, to: C.Target.self, id: command.targetId, eventIds: eventIds, metadata: metadata)
        return events
    }

    /// Appends everything decided, atomically, and teaches the handler's cache the final states.
    public func commit() async throws -> [AppendResult] {
        guard let first = parts.first else { return [] }
        let results = try await handler.store.append(parts, metadata: first.metadata!)
        for (stream, entry) in states {
            func remember<A: Aggregate>(_ state: A) { handler.remember(state, stream: stream, version: entry.version) }
            remember(entry.state)
        }
        return results
    }
}
