import EventStore
import Foundation
import Synchronization

/// Loads an aggregate, decides a command, and appends the events with the stream's expected
/// version; concurrent commands on one stream are decided in turn and appended together
/// (`CommandCombiner`), and a command retries (bounded) when another process got there first.
///
/// Aggregate states are cached with the stream version they reflect. A command on a cached stream
/// reads only the events appended since (usually none), so deciding costs the same at a stream's
/// 10th and 10,000th event; only the first command after start or eviction replays the stream.
public final class CommandHandler: AggregateLoader, Sendable {
    /// What a successful command did.
    public struct Outcome: Sendable, Equatable {
        /// The stream's version after the command (unchanged when it decided no events).
        public var streamVersion: UInt64
        /// Global positions of the new events; empty for a command that changed nothing.
        public var positions: [UInt64]
        /// Type names of the events written.
        public var eventTypes: [String]
        /// True when the events were already stored by an earlier identical request.
        public var wasAlreadyStored: Bool
    }

    public let store: EventStore
    public let registry: EventRegistry
    let maxAttempts: Int
    let cache: AggregateCache
    let combiner = CommandCombiner()
    private let replayed = Atomic<Int>(0)
    let combined = Atomic<Int>(0)
    let pipelined = Atomic<Int>(0)

    /// Events folded from the log while loading aggregates since start: stays flat while commands
    /// hit cached aggregates, which is how tests and metrics see that the cache works.
    public var replayedEvents: Int { replayed.load(ordering: .relaxed) }

    /// Commands appended together with others of their stream in one append since start: how tests
    /// see that concurrent commands on a stream are combined rather than raced.
    public var combinedCommands: Int { combined.load(ordering: .relaxed) }

    /// Appends decided on the state an earlier append of their stream left while that one was
    /// still queued to the writer, since start: how tests see that a busy stream's commands do not
    /// wait for each batch to be durable in turn.
    public var pipelinedAppends: Int { pipelined.load(ordering: .relaxed) }

    public init(store: EventStore, registry: EventRegistry = .domain, cacheCapacity: Int = 100_000, maxAttempts: Int = 5) {
        self.store = store
        self.registry = registry
        self.maxAttempts = maxAttempts
        cache = AggregateCache(capacity: cacheCapacity)
    }

    /// The current state of an aggregate and the stream version it reflects (0: no stream).
    public func load<A: Aggregate>(_ type: A.Type, id: String) throws -> (state: A, version: UInt64) {
        let stream = A.stream(id)
        var (state, version) = cache.get(stream, as: A.self) ?? (A(), 0)
        while true {
            let events = try store.readStream(stream, from: version + 1, limit: 1024)
            for recorded in events {
                state.apply(try registry.decode(recorded))
                version = recorded.streamVersion
            }
            replayed.add(events.count, ordering: .relaxed)
            if events.count < 1024 { break }
        }
        cache.put(stream, state: state, version: version)
        return (state, version)
    }

    /// Decides `command` against its target aggregate and appends the result.
    ///
    /// Commands of this process on one stream are decided one after the other: while one is being
    /// decided, later ones wait, and the next leader decides all of them against each other's
    /// events (and those of batches still queued to the writer) and appends them in one atomic
    /// append (`CommandCombiner`), each with its own metadata and event ids. A caller's answer is
    /// the one it would have had alone.
    ///
    /// - Parameters:
    ///   - context: business time and configuration; referenced records and duplicate matches are
    ///     filled in here before deciding.
    ///   - eventIds: ids for the new events, for idempotent imports and retries; random when nil or
    ///     too short.
    /// - Throws: `DomainError` when a rule is broken (nothing written), `EventStoreError` on storage
    ///   failures.
    @discardableResult
    public func execute<C: DomainCommand>(
        _ command: C, context: DecisionContext, metadata: AppendMetadata, eventIds: [UUID]? = nil
    ) async throws -> Outcome {
        try await execute(on: C.Target.self, id: command.targetId, references: command.references, context: context,
                          metadata: metadata, eventIds: eventIds) { state, _, context in
            try command.decide(state, context)
        }
    }

    /// Decides with `decide` against aggregate `id` and appends the result, combined with the other
    /// commands queued on the stream as `execute(_:context:metadata:eventIds:)` describes: the
    /// entry point for callers whose decision is more than one `DomainCommand` (the API checks the
    /// caller's `If-Match` against the version and may decide a follow-up command in the same
    /// append).
    ///
    /// - Parameters:
    ///   - references: records `decide` reads, resolved into its context before it is queued.
    ///   - decide: the events for the stream's state and version; what it throws is this caller's
    ///     answer alone, and nothing of it is written. It may run on another caller's task.
    /// - Throws: what `decide` throws, `DomainError.concurrencyConflict` when another writer kept
    ///   changing the stream, `EventStoreError` on storage failures.
    @discardableResult
    public func execute<A: Aggregate>(
        on type: A.Type, id: String, references: [RecordReference] = [], context: DecisionContext, metadata: AppendMetadata,
        eventIds: [UUID]? = nil, decide: @escaping @Sendable (A, UInt64, DecisionContext) throws -> [any DomainEvent]
    ) async throws -> Outcome {
        let key = CommandCombiner.Key(stream: A.stream(id), type: ObjectIdentifier(A.self))
        let resolved = try context.resolving(references, with: self)
        let command = CommandCombiner.Command(decide: { state, version in
            // Commands share a queue only with commands of the same aggregate type (the key holds it).
            guard let state = state as? A else { preconditionFailure("a combined command of another aggregate type") }
            return try decide(state, version, resolved)
        }, metadata: metadata, eventIds: eventIds)
        var turn = await combiner.join(key, command)
        var attempts = 0
        while true {
            let lead: CommandCombiner.Lead
            switch turn {
            case .answered(let result): return try result.get()
            case .lead(let given): lead = given
            }
            attempts += 1
            switch await decideTogether(A.self, id: id, key: key, own: command, lead: lead, lastAttempt: attempts >= maxAttempts) {
            case .answered(let result):
                return try result.get()
            case .again(let others):
                turn = await combiner.rejoin(key, command, others: others)
            case .alone(let others):
                // The combined append failed: the commands behind this one are queued again, and
                // this one gets the answer it gets alone, appended while it leads.
                turn = await combiner.rejoin(key, command, others: others)
                guard case .lead(let lead) = turn else { continue }  // another leader answered it
                combiner.requeue(key, lead.others)
                defer { combiner.release(key) }
                _ = await combiner.drain(key)
                return try await executeAlone(A.self, id: id, references: references, context: context, metadata: metadata,
                                              eventIds: eventIds, decide: decide)
            }
        }
    }

    /// One command on its own: loads, decides and appends with the stream's expected version,
    /// deciding again (at most `maxAttempts` times) when another writer got there first. Called by
    /// the stream's leader only, with no batch of the stream in flight, and the lead kept until
    /// this returns, so the writers it races are other processes' or multi-stream appends.
    func executeAlone<A: Aggregate>(
        _ type: A.Type, id: String, references: [RecordReference], context: DecisionContext, metadata: AppendMetadata,
        eventIds: [UUID]?, decide: (A, UInt64, DecisionContext) throws -> [any DomainEvent]
    ) async throws -> Outcome {
        let stream = A.stream(id)
        for _ in 0..<maxAttempts {
            let context = try context.resolving(references, with: self)
            let (state, version) = try load(A.self, id: id)
            let events = try decide(state, version, context)
            guard !events.isEmpty else {
                return Outcome(streamVersion: version, positions: [], eventTypes: [], wasAlreadyStored: false)
            }
            let proposed = try await registry.encode(events, ids: eventIds)
            do {
                let result = try await store.append(stream, proposed, expected: version == 0 ? .noStream : .exact(version), metadata: metadata)
                if result.wasAlreadyStored {
                    cache.remove(stream)
                } else {
                    cache.put(stream, state: state.applying(events), version: result.streamVersion)
                }
                return Outcome(streamVersion: result.streamVersion, positions: result.positions,
                               eventTypes: events.map(\.eventType), wasAlreadyStored: result.wasAlreadyStored)
            } catch EventStoreError.wrongExpectedVersion {
                continue  // someone else appended: reload (the cache catches up) and decide again
            }
        }
        throw DomainError.concurrencyConflict(stream: stream, attempts: maxAttempts)
    }

    /// Remembers states a batch has committed, so the next command does not replay them.
    func remember<A: Aggregate>(_ state: A, stream: String, version: UInt64) {
        cache.put(stream, state: state, version: version)
    }

    func forget(_ stream: String) { cache.remove(stream) }

    /// Appends events decided across several aggregates atomically (a merge touches two customers).
    /// Each part carries the version its decision was based on.
    func appendAtomically(_ parts: [(stream: String, version: UInt64, events: [any DomainEvent], ids: [UUID]?)], metadata: AppendMetadata) async throws -> [AppendResult] {
        var batch: [StreamAppend] = []
        for part in parts {
            batch.append(StreamAppend(stream: part.stream, expected: part.version == 0 ? .noStream : .exact(part.version),
                                      events: try await registry.encode(part.events, ids: part.ids)))
        }
        let results = try await store.append(batch, metadata: metadata)
        for part in parts { cache.remove(part.stream) }
        return results
    }
}

/// A bounded map from stream to the latest folded state (`RecentMap`): a dropped stream is simply
/// replayed on its next command.
final class AggregateCache: Sendable {
    private struct Entry: Sendable {
        let state: any Aggregate
        let version: UInt64
    }

    private let entries: Mutex<RecentMap<Entry>>

    init(capacity: Int) { entries = Mutex(RecentMap(capacity: capacity)) }

    func get<A: Aggregate>(_ stream: String, as: A.Type) -> (A, UInt64)? {
        entries.withLock { entries in
            guard let entry = entries.get(stream), let state = entry.state as? A else { return nil }
            return (state, entry.version)
        }
    }

    func put<A: Aggregate>(_ stream: String, state: A, version: UInt64) {
        entries.withLock { entries in
            if let existing = entries.peek(stream), existing.version > version { return }
            entries.put(stream, Entry(state: state, version: version))
        }
    }

    func remove(_ stream: String) {
        entries.withLock { $0.remove(stream) }
    }
}

/// A map of at most `capacity` entries that forgets the least recently used ones, approximately
/// and in O(1): entries live in a young and an old generation; when the young one reaches half the
/// capacity, the old one is dropped and the young one becomes the old. Reading an entry of the old
/// generation moves it to the young one, so an entry used within the last `capacity / 2` insertions
/// is never dropped. (Dropping an arbitrary half when full, as before, also dropped the aggregates a
/// long import was busy with, which then had to be replayed from the log.)
struct RecentMap<Value> {
    private var young: [String: Value] = [:]
    private var old: [String: Value] = [:]
    let capacity: Int

    init(capacity: Int) { self.capacity = max(2, capacity) }

    var count: Int { young.count + old.count }

    /// The entry, marked as recently used.
    mutating func get(_ key: String) -> Value? {
        if let value = young[key] { return value }
        guard let value = old.removeValue(forKey: key) else { return nil }
        insertYoung(key, value)
        return value
    }

    /// The entry, without marking it.
    func peek(_ key: String) -> Value? { young[key] ?? old[key] }

    mutating func put(_ key: String, _ value: Value) {
        if young[key] != nil {
            young[key] = value
            return
        }
        old[key] = nil
        insertYoung(key, value)
    }

    mutating func remove(_ key: String) {
        young[key] = nil
        old[key] = nil
    }

    mutating func removeAll() {
        young = [:]
        old = [:]
    }

    private mutating func insertYoung(_ key: String, _ value: Value) {
        young[key] = value
        if young.count >= capacity / 2 {
            old = young
            young = [:]
        }
    }
}

extension RecentMap: Sendable where Value: Sendable {}
