import Domain
import EventStore
import Foundation
import Logging

/// Every projector of a data directory: runs them side by side (each on its own task, with its
/// own environment under `<data>/projections/<name>/`), answers queries from their active
/// generations, and materialises read models as of a past position or under other rules.
public final class ProjectionEngine: Sendable {
    public struct Configuration: Sendable {
        /// Events read, decoded and applied per write transaction.
        public var batchSize: Int
        /// As-of snapshots kept per projector (least recently used go first).
        public var asOfCacheSize: Int
        public var logger: Logger

        public init(batchSize: Int = 4096, asOfCacheSize: Int = 4, logger: Logger = Logger(label: "crm.projections")) {
            self.batchSize = batchSize
            self.asOfCacheSize = asOfCacheSize
            self.logger = logger
        }
    }

    public let store: EventStore
    public let directory: String
    let configuration: Configuration
    let registry: EventRegistry
    let runners: [String: ProjectorRunner]
    /// Projector names in registration order.
    public let names: [String]
    private let snapshots: AsOfSnapshots

    /// Opens (creating) the read models of `projectors` under `directory` (default
    /// `<store directory>/projections`).
    public init(store: EventStore, projectors: [any Projector], directory: String? = nil,
                registry: EventRegistry = .domain, configuration: Configuration = Configuration()) throws {
        self.store = store
        self.directory = directory ?? "\(store.directory)/projections"
        self.configuration = configuration
        self.registry = registry
        let feed = EventFeed(store: store, registry: registry, batchSize: max(1, configuration.batchSize), cache: DecodedEventCache())
        let snapshots = AsOfSnapshots(capacity: configuration.asOfCacheSize)
        self.snapshots = snapshots
        var runners: [String: ProjectorRunner] = [:]
        for projector in projectors {
            precondition(runners[projector.name] == nil, "projector \(projector.name) registered twice")
            let name = projector.name
            runners[name] = try ProjectorRunner(projector: projector, directory: "\(self.directory)/\(name)",
                                                feed: feed, logger: configuration.logger,
                                                erasureObserver: { snapshots.discard(name) })
        }
        self.runners = runners
        self.names = projectors.map(\.name)
        // As-of snapshots are caches; a new process starts without them.
        let fm = FileManager.default
        for name in names {
            let path = "\(self.directory)/\(name)"
            for entry in (try? fm.contentsOfDirectory(atPath: path)) ?? [] where entry.hasPrefix("asof-") {
                try? fm.removeItem(atPath: "\(path)/\(entry)")
            }
        }
    }

    func runner(_ name: String) throws -> ProjectorRunner {
        guard let runner = runners[name] else { throw ProjectionError.unknownProjector(name) }
        return runner
    }

    /// Runs every projector until the task is cancelled or the store closes.
    public func run() async {
        await withDiscardingTaskGroup { group in
            for name in names {
                let runner = runners[name]!
                group.addTask { await runner.run() }
            }
        }
    }

    /// Brings every projector up to the head as it is now (rebuilding where the version
    /// changed), one after another, on the calling thread. For the command line and tests; a
    /// server uses `run()`.
    public func catchUp() throws {
        var firstFailure: (any Error)?
        for name in names {
            do { try runners[name]!.catchUp() } catch { firstFailure = firstFailure ?? error }
        }
        if let firstFailure { throw firstFailure }
    }

    /// Brings the named projectors (all by default) up to the head as it is now, side by side;
    /// throws the first failure after all ended.
    ///
    /// Each runner catches up on a thread of its own (`ProjectorThread`), as it does when live.
    /// On the cooperative pool (one thread per core) the blocking catch-ups took every thread:
    /// on two cores only two projectors made progress at a time, the others waited for one to
    /// finish, and nothing else of the process (a progress line, a signal handler) could run.
    public func catchUpConcurrently(_ only: [String]? = nil) async throws {
        let selected = try (only ?? names).map { try runner($0) }
        let failures = await withTaskGroup(of: (any Error)?.self) { group in
            for runner in selected {
                group.addTask {
                    let thread = ProjectorThread(name: "crm-catchup-\(runner.projector.name)")
                    defer { thread.stop() }
                    do { try await thread.perform { try runner.catchUp() } } catch { return error }
                    return nil
                }
            }
            var failures: [any Error] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
        if let first = failures.first { throw first }
    }

    /// Asks `name` to rebuild from position 1 into a shadow generation, swapped in when caught up.
    public func rebuild(_ name: String) throws {
        try runner(name).requestRebuild()
    }

    /// The checksum of `name`'s live read model (see `ProjectionGeneration.checksum`).
    public func checksum(of name: String) throws -> SHA256Digest {
        try runner(name).active.checksum()
    }

    /// Every projector's status, in registration order.
    public func status() -> [ProjectorStatus] { names.map { runners[$0]!.status() } }

    /// One projector's status.
    public func status(of name: String) throws -> ProjectorStatus { try runner(name).status() }

    /// Runs `body` on the live read model of `name`.
    public func read<T>(_ name: String, _ body: (ReadModelReader) throws -> T) throws -> T {
        try runner(name).read(body)
    }

    /// Waits (at most `timeout`) until `name` reflects `position`; returns the position it reflects
    /// then, which is below `position` if the wait timed out.
    public func waitUntil(_ name: String, reflects position: UInt64, timeout: Duration) async throws -> UInt64 {
        let runner = try runner(name)
        let watch = runner.reflected
        if watch.head >= position || position == 0 { return watch.head }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = try? await watch.wait(beyond: position - 1) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
        return watch.head
    }

    /// The read model of `name` as it was right after `position`: replayed into a temporary
    /// generation (cached; the live one keeps running). The personal values of subjects erased
    /// since read as the marker, whatever the position: an erasure discards cached snapshots, and
    /// the replay reads the log through the registry, which no longer opens them.
    public func asOf(_ name: String, position: UInt64) async throws -> ProjectionGeneration {
        let runner = try runner(name)
        let head = store.headWatch.head
        guard position <= head else { throw ProjectionError.positionOutOfRange(requested: position, head: head) }
        if let cached = snapshots.cached(name, position: position) { return cached }
        while true {
            let epoch = snapshots.epoch(name)
            let path = "\(directory)/\(name)/asof-\(position)-\(UUID().uuidString.prefix(8))"
            let generation = try await materialize(runner.projector, into: path, from: 1, through: position)
            if snapshots.insert(name, position: position, generation, epoch: epoch) { return generation }
            // An erasure happened during the replay, which may have read the values before it.
            try? FileManager.default.removeItem(atPath: generation.directory)
        }
    }

    /// The position that ends the log as it was at `time` (ms since epoch): the last event
    /// recorded at or before it, 0 when none.
    public func position(at time: Int64) throws -> UInt64 {
        let first = try store.firstPosition(recordedAtOrAfter: time + 1)
        if first == 0 { return store.headWatch.head }
        return first - 1
    }

    /// Replays the events in `[from, through]` into a named scratch read model built by
    /// `projector` (typically the live projector with other rules or another version), so its
    /// answers can be compared with the live one's. An existing scratch model of that name is
    /// replaced.
    public func replay(_ projector: any Projector, as scratchName: String, from: UInt64 = 1, through: UInt64? = nil) async throws -> ProjectionGeneration {
        let safe = scratchName.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        guard !safe.isEmpty, safe == scratchName else { throw ProjectionError.storage("scratch names are letters, digits, - and _") }
        let path = "\(directory)/_scratch/\(safe)"
        try? FileManager.default.removeItem(atPath: path)
        return try await materialize(projector, into: path, from: max(1, from), through: through ?? store.headWatch.head)
    }

    /// Folds `[from, through]` into a new generation at `path`.
    func materialize(_ projector: any Projector, into path: String, from: UInt64, through: UInt64) async throws -> ProjectionGeneration {
        let feed = EventFeed(store: store, registry: registry, batchSize: max(1, configuration.batchSize), cache: DecodedEventCache(capacity: 1024))
        let generation = try ProjectionGeneration(directory: path, number: 0, projector: projector, startPosition: from,
                                                  createdAtHead: store.headWatch.head)
        var checkpoint = from - 1
        while checkpoint < through {
            try Task.checkCancellation()
            let (events, reached) = try feed.next(after: checkpoint, through: through, types: projector.eventTypes,
                                                  decode: projector.decodesPayloads, needsKeys: projector.keepsPersonalData)
            do {
                _ = try generation.apply(events, checkpoint: reached, projector: projector)
            } catch let failure as ApplyFailure {
                throw ProjectionError.parked(projector: projector.name, position: failure.position, reason: failure.reason)
            }
            checkpoint = reached
            await Task.yield()
        }
        return generation
    }
}
