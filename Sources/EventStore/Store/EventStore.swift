import CLMDB
import Foundation
import Synchronization
import Logging

/// The durable, tamper-evident, group-committed event log.
///
/// One instance per data directory per process. Appends go through a single writer thread that
/// commits concurrent requests together (`GroupCommitWriter`); reads open their own LMDB read
/// transactions and never wait for the writer. Every event is chained to the one before it by
/// SHA-256, and signed checkpoints pin the chain under a key the log does not contain.
public final class EventStore: Sendable {
    /// How to open a store.
    public struct Configuration: Sendable {
        /// Create the directory and an empty log when none exists (`serve`, `import`); commands
        /// that only inspect (`verify`, `log`, `stats`) leave this off.
        public var createIfMissing: Bool
        /// The first map size; it doubles on `MDB_MAP_FULL` up to `maxMapSize`.
        public var initialMapSize: Int
        public var maxMapSize: Int
        /// Sign a checkpoint every this many events (and on demand, and at close).
        public var checkpointInterval: UInt64
        /// The HMAC key for checkpoints; without one, no checkpoints are signed or checked.
        public var checkpointKey: HMACKey?
        /// Upper bound of events committed in one transaction, so one huge group cannot delay
        /// every caller behind it.
        public var maxGroupEvents: Int
        /// Milliseconds since the epoch; injectable for tests of time-range reads.
        public var clock: @Sendable () -> Int64
        public var logger: Logger

        public init(
            createIfMissing: Bool = true,
            initialMapSize: Int = 256 << 20,
            maxMapSize: Int = 1 << 40,
            checkpointInterval: UInt64 = 10_000,
            checkpointKey: HMACKey? = nil,
            maxGroupEvents: Int = 20_000,
            clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) },
            logger: Logger = Logger(label: "crm.eventstore")
        ) {
            self.createIfMissing = createIfMissing
            self.initialMapSize = initialMapSize
            self.maxMapSize = maxMapSize
            self.checkpointInterval = checkpointInterval
            self.checkpointKey = checkpointKey
            self.maxGroupEvents = maxGroupEvents
            self.clock = clock
            self.logger = logger
        }
    }

    /// The data directory this store was opened on.
    public let directory: String
    let env: LMDBEnvironment
    let dbs: LogDatabases
    let configuration: Configuration
    private let writer: GroupCommitWriter
    /// The durable head, published after every commit: wait on it to follow the log live.
    public let headWatch: PositionWatch
    /// The event types of the latest commits, recorded before each is published on `headWatch`.
    public let appendedTypes = AppendedTypes()
    let metrics: WriterMetrics

    /// Opens the store in `directory` (the log lives in `directory/log`).
    ///
    /// - Throws: `.missingDirectory` when it does not exist and `createIfMissing` is off,
    ///   `.notAnEventStore` when it holds something else, `.locked` when another process has it open.
    public init(directory: String, configuration: Configuration = Configuration()) throws(EventStoreError) {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        let logPath = directory + "/log"
        let exists = fm.fileExists(atPath: directory, isDirectory: &isDirectory)
        if exists && !isDirectory.boolValue { throw .notAnEventStore(path: directory, reason: "it is a file, not a directory") }
        let hasLog = fm.fileExists(atPath: logPath + "/data.mdb")
        if !hasLog {
            guard configuration.createIfMissing else {
                if !exists { throw .missingDirectory(directory) }
                throw .notAnEventStore(path: directory, reason: "it has no log/data.mdb")
            }
            let entries = (try? fm.contentsOfDirectory(atPath: directory)) ?? []
            let foreign = entries.filter { !["log", "crm.lock", "checkpoint.key"].contains($0) && !$0.hasPrefix(".") }
            if !foreign.isEmpty {
                throw .notAnEventStore(path: directory, reason: "it is not empty (\(foreign.prefix(3).joined(separator: ", "))) and holds no event log")
            }
            do { try fm.createDirectory(atPath: logPath, withIntermediateDirectories: true) } catch {
                throw .storage("cannot create \(logPath): \(error.localizedDescription)")
            }
        }
        guard fm.isWritableFile(atPath: directory) else { throw .storage("\(directory) is not writable") }
        let lock = try DirectoryLock(directory: directory)
        self.directory = directory
        self.configuration = configuration
        do {
            env = try LMDBEnvironment(path: logPath, mapSize: configuration.initialMapSize, maxDatabases: LogDatabases.count + 2, holding: lock)
        } catch let error as LMDBError {
            if error.code == MDB_INVALID || error.code == MDB_VERSION_MISMATCH {
                throw .notAnEventStore(path: directory, reason: "log/data.mdb is not an LMDB file of a supported version")
            }
            throw .storage(error.description)
        } catch {
            throw .storage("\(error)")
        }
        let cleared = env.clearStaleReaders()
        if cleared > 0 { configuration.logger.notice("cleared stale LMDB readers", metadata: ["count": "\(cleared)"]) }
        let state: (LogDatabases, LogHead, UInt64, UInt64)
        do {
            let txn = try env.beginWrite()
            do {
                let dbs = try LogDatabases(opening: env, in: txn)
                let format = try MetaKey.format.withUnsafeBytes { try txn.get(dbs.meta, $0).map(Array.init) }
                if let format {
                    guard format == MetaKey.formatValue else {
                        txn.abort()
                        throw EventStoreError.notAnEventStore(path: directory, reason: "log format is '\(String(decoding: format, as: UTF8.self))'")
                    }
                } else {
                    try MetaKey.format.withUnsafeBytes { key in try MetaKey.formatValue.withUnsafeBytes { try txn.put(dbs.meta, key, $0) } }
                }
                let head = try LogHead.recorded(in: txn, dbs)
                let streams = try MetaKey.streamCount.withUnsafeBytes { try txn.get(dbs.meta, $0).map { BigEndian.uint64($0) } } ?? 0
                let cursor = try txn.cursor(dbs.checkpoints)
                let lastCheckpoint = try cursor.get(MDB_LAST).map { BigEndian.uint64($0.key) } ?? 0
                try txn.commit()
                state = (dbs, head, streams, lastCheckpoint)
            } catch let error as EventStoreError {
                throw error
            } catch {
                txn.abort()
                throw error
            }
        } catch let error as EventStoreError {
            throw error
        } catch let error as LMDBError where error.code == MDB_INCOMPATIBLE {
            throw .notAnEventStore(path: directory, reason: "its log was written by an incompatible version of this format")
        } catch {
            throw .storage("\(error)")
        }
        dbs = state.0
        headWatch = PositionWatch(head: state.1.position)
        let metrics = WriterMetrics(head: state.1)
        self.metrics = metrics
        let watch = headWatch
        let appended = appendedTypes
        writer = GroupCommitWriter(
            env: env, dbs: dbs, head: state.1, lastCheckpoint: state.3, streamCount: state.2,
            configuration: .init(
                checkpointInterval: configuration.checkpointInterval, maxMapSize: configuration.maxMapSize,
                maxGroupEvents: configuration.maxGroupEvents, clock: configuration.clock,
                checkpointKey: configuration.checkpointKey, logger: configuration.logger,
                onCommit: { head, requests, events, types in
                    metrics.recordCommit(head: head, requests: requests, events: events)
                    appended.record(first: head.position + 1 - UInt64(events), last: head.position, mask: types)
                    watch.advance(to: head.position)
                }))
    }

    /// Refuses, from now on, appends that carry data sealed for `subjects` (erasure has begun for
    /// them). An append already committed is not affected; one decided in the same group as this
    /// call either committed before it or is refused.
    public func refuseSealedData(of subjects: some Sequence<String>) {
        writer.refusedSubjects.withLock { $0.formUnion(subjects) }
    }

    /// Finishes queued appends, signs a final checkpoint when the log moved, ends subscriptions and
    /// releases the directory. Appends after this throw `.closed`.
    public func close() {
        writer.stop()
        headWatch.close()
    }

    deinit { close() }

    /// Calls `observer` on the writer thread after every commit with the group's size (metrics
    /// export). The observer must be cheap and must not block: appends wait for it.
    public func observeCommits(_ observer: @escaping @Sendable (CommitObservation) -> Void) {
        metrics.addObserver(observer)
    }

    // MARK: Appending

    /// Appends `events` to `stream` if it is at `expected`; returns when they are durably on disk.
    ///
    /// A retry with the same event ids and content returns the original positions and writes
    /// nothing. Throws `.wrongExpectedVersion`, `.eventIdConflict` or `.invalidAppend`, having
    /// written nothing.
    @discardableResult
    public func append(_ stream: String, _ events: [ProposedEvent], expected: ExpectedVersion, metadata: AppendMetadata) async throws -> AppendResult {
        try await append([StreamAppend(stream: stream, expected: expected, events: events)], metadata: metadata)[0]
    }

    /// Appends to several streams atomically, each with its own expected version: all are written
    /// or none is.
    @discardableResult
    public func append(_ batch: [StreamAppend], metadata: AppendMetadata) async throws -> [AppendResult] {
        try await append(batch, metadata: metadata, whenQueued: {})
    }

    /// Appends like `append(_:metadata:)`, calling `whenQueued` as soon as the append holds its
    /// place in the writer's queue, before this call suspends: appends queued after that moment
    /// are decided and committed after this one.
    ///
    /// Why: a caller that lets the next command on a stream be decided on top of this append
    /// (`StreamAppend.lastEventId`) must know that the next append cannot overtake it.
    @discardableResult
    public func append(_ batch: [StreamAppend], metadata: AppendMetadata, whenQueued: () -> Void) async throws -> [AppendResult] {
        try await withCheckedThrowingContinuation { continuation in
            writer.submit(.append(batch, metadata, continuation))
            whenQueued()
        }
    }

    /// Signs a checkpoint at the current head now.
    @discardableResult
    public func signCheckpoint() async throws -> SignedCheckpoint {
        try await withCheckedThrowingContinuation { continuation in
            writer.submit(.checkpoint(continuation))
        }
    }
}
