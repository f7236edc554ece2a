import EventStore
import Foundation

/// Decides a run of commands against in-memory aggregate states and appends all their events in one
/// atomic multi-stream append: the fast path of imports.
///
/// Each command sees the effects of the commands before it in the batch (its loads go through the
/// batch), each keeps its own actor and source (per-part metadata), and each part carries the
/// expected version its decision was based on, so the whole batch fails cleanly (and is redecided)
/// if anyone else wrote to one of its streams meanwhile. A refused command contributes nothing.
///
/// After a `commit`, the batch keeps its states for the next run of commands (an import decides
/// batch after batch through one `CommandBatch`): loading them again costs neither a read
/// transaction nor the handler cache's lock. They are dropped when anyone else has written to the
/// log since the last commit (`begin`), or when a commit fails (`discard`), so every run decides
/// against states as current as the handler's.
public final class CommandBatch: AggregateLoader {
    public let handler: CommandHandler
    private var states: RecentMap<(state: any Aggregate, version: UInt64)>
    private var parts: [StreamAppend] = []
    /// The log position of the last commit; nil before the first, or after the states were dropped.
    private var committedHead: UInt64?
    /// Events decided since the last commit.
    public private(set) var eventCount = 0

    /// - Parameter capacity: states kept across commits (the least recently used are dropped).
    public init(handler: CommandHandler, capacity: Int = 100_000) {
        self.handler = handler
        states = RecentMap(capacity: capacity)
    }

    public var isEmpty: Bool { parts.isEmpty }

    public func load<A: Aggregate>(_ type: A.Type, id: String) throws -> (state: A, version: UInt64) {
        let stream = A.stream(id)
        if let known = states.get(stream), let state = known.state as? A { return (state, known.version) }
        let loaded = try handler.load(A.self, id: id)
        states.put(stream, (loaded.state, loaded.version))
        return loaded
    }

    /// Records `events` for the aggregate `id` as decided against its current batch state.
    public func emit<A: Aggregate>(_ events: [any DomainEvent], to type: A.Type, id: String, eventIds: [UUID], metadata: AppendMetadata) throws {
        guard !events.isEmpty else { return }
        let (state, version) = try load(A.self, id: id)
        var proposed: [ProposedEvent] = []
        proposed.reserveCapacity(events.count)
        for (index, event) in events.enumerated() {
            // Sealed at commit, so the whole batch's new data keys cost one durable write.
            proposed.append(try handler.registry.encode(event, id: index < eventIds.count ? eventIds[index] : .timeOrdered(), sealing: false))
        }
        let stream = A.stream(id)
        parts.append(StreamAppend(stream: stream, expected: version == 0 ? .noStream : .exact(version), events: proposed, metadata: metadata))
        states.put(stream, (state.applying(events), version + UInt64(events.count)))
        eventCount += events.count
    }

    /// Decides a single-aggregate command and records its events.
    @discardableResult
    public func execute<C: DomainCommand>(_ command: C, context: DecisionContext, metadata: AppendMetadata, eventIds: [UUID]) throws -> [any DomainEvent] {
        let context = command.references.isEmpty ? context : try context.resolving(command.references, with: self)
        let (state, _) = try load(C.Target.self, id: command.targetId)
        let events = try command.decide(state, context)
        try emit(events, to: C.Target.self, id: command.targetId, eventIds: eventIds, metadata: metadata)
        return events
    }

    /// Starts the next run of commands: keeps the states of the last commit only if the log has
    /// not moved since.
    public func begin() throws {
        if let committedHead, try handler.store.head().position != committedHead { discard() }
    }

    /// Appends everything decided, atomically, and teaches the handler's cache the states written.
    /// On failure everything decided since the last commit is dropped with the kept states.
    @discardableResult
    public func commit() async throws -> [AppendResult] {
        guard let prepared = prepareCommit() else { return [] }
        let results: [AppendResult]
        do {
            results = try await prepared.append(through: handler)
        } catch {
            discard()
            throw error
        }
        finish(prepared, results: results)
        return results
    }

    /// What one commit appends, taken out of the batch so that the next run of commands can be
    /// decided (against the states it leaves) while the append waits for the disk.
    public struct PreparedCommit: Sendable {
        let parts: [StreamAppend]
        /// Each written stream's state and version as of this commit (the batch may move on).
        let written: [(stream: String, state: any Aggregate, version: UInt64)]

        /// Seals the personal data (one durable key write for the whole commit) and appends every
        /// part atomically.
        func append(through handler: CommandHandler) async throws -> [AppendResult] {
            var parts = parts
            if handler.registry.protection != nil {
                let sealed: [ProposedEvent] = try await handler.registry.seal(parts.flatMap(\.events))
                var offset = 0
                for index in parts.indices {
                    let count = parts[index].events.count
                    parts[index].events = Array(sealed[offset..<(offset + count)])
                    offset += count
                }
            }
            return try await handler.store.append(parts, metadata: parts[0].metadata!)
        }
    }

    /// Takes out everything decided since the last commit (nil when nothing was); the states stay,
    /// so later commands are decided as if it were committed. The caller appends it
    /// (`PreparedCommit.append`), then calls `finish` — or `discard` if the append failed, since
    /// what was decided after it rests on it.
    public func prepareCommit() -> PreparedCommit? {
        guard !parts.isEmpty else { return nil }
        var written: [(stream: String, state: any Aggregate, version: UInt64)] = []
        written.reserveCapacity(parts.count)
        for part in parts {
            if let entry = states.peek(part.stream) { written.append((part.stream, entry.state, entry.version)) }
        }
        let prepared = PreparedCommit(parts: parts, written: written)
        parts.removeAll(keepingCapacity: true)
        eventCount = 0
        return prepared
    }

    /// Records a prepared commit as appended: the log position it reached, and its states in the
    /// handler's cache (only committed states go there).
    public func finish(_ prepared: PreparedCommit, results: [AppendResult]) {
        committedHead = results.reduce(committedHead ?? 0) { max($0, $1.positions.last ?? 0) }
        for entry in prepared.written {
            func remember<A: Aggregate>(_ state: A) { handler.remember(state, stream: entry.stream, version: entry.version) }
            remember(entry.state)
        }
    }

    /// Drops everything decided since the last commit and every kept state.
    public func discard() {
        states.removeAll()
        parts.removeAll(keepingCapacity: true)
        committedHead = nil
        eventCount = 0
    }
}
