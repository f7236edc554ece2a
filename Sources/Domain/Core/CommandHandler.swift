import EventStore
import Foundation
import Synchronization

/// Loads an aggregate, decides a command, and appends the events with the stream's expected
/// version, retrying (bounded) when another writer got there first.
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
    private let cache: AggregateCache
    private let replayed = Atomic<Int>(0)

    /// Events folded from the log while loading aggregates since start: stays flat while commands
    /// hit cached aggregates, which is how tests and metrics see that the cache works.
    public var replayedEvents: Int { replayed.load(ordering: .relaxed) }

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
        let id = command.targetId
        let stream = C.Target.stream(id)
        for _ in 0..<maxAttempts {
            let context = try context.resolving(command.references, with: self)
            let (state, version) = try load(C.Target.self, id: id)
            let events = try command.decide(state, context)
            guard !events.isEmpty else {
                return Outcome(streamVersion: version, positions: [], eventTypes: [], wasAlreadyStored: false)
            }
            let proposed = try events.enumerated().map { index, event in
                try registry.encode(event, id: eventIds.flatMap { index < $0.count ? $0[index] : nil } ?? .timeOrdered())
            }
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
        let batch = try parts.map { part in
            StreamAppend(stream: part.stream, expected: part.version == 0 ? .noStream : .exact(part.version),
                         events: try part.events.enumerated().map { index, event in
                             try registry.encode(event, id: part.ids.flatMap { index < $0.count ? $0[index] : nil } ?? .timeOrdered())
                         })
        }
        let results = try await store.append(batch, metadata: metadata)
        for part in parts { cache.remove(part.stream) }
        return results
    }
}

/// A bounded map from stream to the latest folded state. When full, an arbitrary half is dropped:
/// cheap, and a dropped stream is simply replayed on its next command.
final class AggregateCache: Sendable {
    private struct Entry: Sendable {
        let state: any Aggregate
        let version: UInt64
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    func get<A: Aggregate>(_ stream: String, as: A.Type) -> (A, UInt64)? {
        entries.withLock { entries in
            guard let entry = entries[stream], let state = entry.state as? A else { return nil }
            return (state, entry.version)
        }
    }

    func put<A: Aggregate>(_ stream: String, state: A, version: UInt64) {
        entries.withLock { entries in
            if let existing = entries[stream], existing.version > version { return }
            if entries.count >= capacity, entries[stream] == nil {
                for key in entries.keys.prefix(capacity / 2) { entries[key] = nil }
            }
            entries[stream] = Entry(state: state, version: version)
        }
    }

    func remove(_ stream: String) {
        _ = entries.withLock { $0.removeValue(forKey: stream) }
    }
}
