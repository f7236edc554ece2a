import CLMDB
import Dispatch
import Foundation
import Logging
import Synchronization

/// The single owner of LMDB's write transaction: a dedicated thread that takes every append queued
/// since its last commit, decides them in arrival order inside one write transaction, commits once
/// (one fsync for the whole group), and only then answers every caller.
///
/// Requests in a group are independent: one that fails its expected-version check is answered with
/// that error and writes nothing, while the others commit. All checks run before the request's
/// first write, so a failed request never leaves partial writes in the group's transaction. The only
/// failures after writing starts are LMDB's (`MDB_MAP_FULL`, I/O errors); they abort the whole
/// transaction, and a full map is grown and the same group retried, so no acknowledged or queued
/// append is lost. A full disk (or a map at `maxMapSize`) fails the group's requests with
/// `.insufficientStorage`; the writer's state moves only after a successful commit, so the next
/// group starts from the last durable head and appends resume by themselves once space is freed.
///
/// `@unchecked Sendable`: the queue is guarded by a `Mutex`; every other mutable property
/// (`head`, `lastCheckpoint`, `scratch`, `streamCount`, `refusingForSpace`) is touched only on the
/// writer thread, which starts in `init` and is joined in `stop()`; `thread` is set once in
/// `init`, before anything else can reach the writer.
final class GroupCommitWriter: @unchecked Sendable {
    enum Request {
        case append([StreamAppend], AppendMetadata, CheckedContinuation<[AppendResult], any Error>)
        case checkpoint(CheckedContinuation<SignedCheckpoint, any Error>)

        func fail(_ error: EventStoreError) {
            switch self {
            case .append(_, _, let c): c.resume(throwing: error)
            case .checkpoint(let c): c.resume(throwing: error)
            }
        }
    }

    struct Configuration {
        var checkpointInterval: UInt64
        var maxMapSize: Int
        var maxGroupEvents: Int
        var clock: @Sendable () -> Int64
        var checkpointKey: HMACKey?
        var logger: Logger
        /// Called after each commit, before any caller is resumed; `types` is the mask of the
        /// event types the group appended.
        var onCommit: @Sendable (_ head: LogHead, _ groupRequests: Int, _ groupEvents: Int, _ types: AppendedTypes.Mask) -> Void
    }

    private struct Queue {
        var requests: [Request] = []
        var stopping = false
    }

    private let env: LMDBEnvironment
    private let dbs: LogDatabases
    private let configuration: Configuration
    private let queue = Mutex(Queue())
    /// Data subjects whose erasure has begun: appends carrying data sealed for them are refused
    /// (`EventStore.refuseSealedData`). Read on the writer thread while it decides a group, so an
    /// erasure that adds a subject and then appends its `SubjectErased` knows every earlier sealed
    /// event of the subject is committed, and no later one will be.
    let refusedSubjects = Mutex<Set<String>>([])
    private let wakeUp = DispatchSemaphore(value: 0)
    private var thread: JoinableThread?

    // Writer-thread state.
    private var head: LogHead
    /// The head when the store was opened.
    private let openedAt: UInt64
    private var lastCheckpoint: UInt64
    private var streamCount: UInt64
    private var scratch: [UInt8] = []
    private var lastReaderCheck = Date()
    /// Set when a group failed for lack of space, cleared (and logged) by the next commit.
    private var refusingForSpace = false

    init(env: LMDBEnvironment, dbs: LogDatabases, head: LogHead, lastCheckpoint: UInt64, streamCount: UInt64, configuration: Configuration) {
        self.env = env
        self.dbs = dbs
        self.head = head
        self.openedAt = head.position
        self.lastCheckpoint = lastCheckpoint
        self.streamCount = streamCount
        self.configuration = configuration
        scratch.reserveCapacity(4096)
        // Unowned: the store keeps the writer alive until `stop()` has joined the thread.
        thread = JoinableThread(name: "crm-log-writer") { [unowned self] in run() }
    }

    /// Queues a request; the caller's continuation is resumed after the commit that includes it.
    func submit(_ request: Request) {
        let accepted = queue.withLock { queue -> Bool in
            guard !queue.stopping else { return false }
            queue.requests.append(request)
            return true
        }
        if accepted { wakeUp.signal() } else { request.fail(.closed) }
    }

    /// Finishes every queued request, then stops the thread.
    func stop() {
        let first = queue.withLock { queue -> Bool in
            defer { queue.stopping = true }
            return !queue.stopping
        }
        guard first else { return }
        wakeUp.signal()
        thread?.join()
    }

    private func run() {
        while true {
            _ = wakeUp.wait(timeout: .now() + .seconds(30))
            if Date().timeIntervalSince(lastReaderCheck) > 30 {
                env.clearStaleReaders()
                lastReaderCheck = Date()
            }
            while true {
                let (group, stopping) = takeGroup()
                if !group.isEmpty { commit(group) }
                if group.isEmpty {
                    if stopping {
                        signCheckpointAtClose()
                        return
                    }
                    break
                }
            }
        }
    }

    /// Takes queued requests up to `maxGroupEvents` events (at least one request).
    private func takeGroup() -> ([Request], Bool) {
        queue.withLock { queue in
            var taken = 0
            var events = 0
            for request in queue.requests {
                if case .append(let batch, _, _) = request {
                    let count = batch.reduce(0) { $0 + $1.events.count }
                    if taken > 0 && events + count > configuration.maxGroupEvents { break }
                    events += count
                }
                taken += 1
            }
            let group = Array(queue.requests.prefix(taken))
            queue.requests.removeFirst(taken)
            return (group, queue.stopping)
        }
    }

    // MARK: Committing a group

    private enum Outcome {
        case appended([AppendResult])
        case rejected(EventStoreError)
        case checkpointed(SignedCheckpoint)
    }

    /// Head and counters as they evolve inside one transaction; discarded if it aborts.
    private struct GroupState {
        var head: LogHead
        var streamCount: UInt64
        var lastCheckpoint: UInt64
        var events = 0
        var types = AppendedTypes.Mask()
    }

    private func commit(_ group: [Request]) {
        while true {
            let txn: WriteTransaction
            do { txn = try env.beginWrite() } catch {
                return fail(group, error)
            }
            var state = GroupState(head: head, streamCount: streamCount, lastCheckpoint: lastCheckpoint)
            var outcomes: [Outcome] = []
            outcomes.reserveCapacity(group.count)
            do {
                for request in group {
                    switch request {
                    case .append(let batch, let metadata, _):
                        outcomes.append(try decideAndWrite(batch, metadata, txn, &state))
                    case .checkpoint:
                        outcomes.append(.checkpointed(try writeCheckpoint(txn, &state)))
                    }
                }
                if state.events > 0 {
                    if state.head.position - state.lastCheckpoint >= configuration.checkpointInterval, configuration.checkpointKey != nil {
                        _ = try writeCheckpoint(txn, &state)
                    }
                    try txn.put(dbs.meta, MetaKey.head, state.head.stored)
                    try txn.put(dbs.meta, MetaKey.streamCount, BigEndian.bytes(state.streamCount))
                }
            } catch {
                txn.abort()
                if (error as? LMDBError)?.isMapFull == true, growMap() { continue }
                return fail(group, error)
            }
            do {
                try txn.commit()  // on failure LMDB frees the transaction itself
            } catch {
                if (error as? LMDBError)?.isMapFull == true, growMap() { continue }
                return fail(group, error)
            }
            head = state.head
            streamCount = state.streamCount
            lastCheckpoint = state.lastCheckpoint
            if refusingForSpace {
                refusingForSpace = false
                configuration.logger.notice("appends resumed: space was freed", metadata: ["head": "\(head.position)"])
            }
            configuration.onCommit(head, group.count, state.events, state.types)
            for (request, outcome) in zip(group, outcomes) {
                switch (request, outcome) {
                case (.append(_, _, let c), .appended(let results)): c.resume(returning: results)
                case (.append(_, _, let c), .rejected(let error)): c.resume(throwing: error)
                case (.checkpoint(let c), .checkpointed(let checkpoint)): c.resume(returning: checkpoint)
                default: request.fail(.storage("internal: outcome does not match request"))
                }
            }
            return
        }
    }

    /// Answers every request of a group whose transaction failed and was rolled back: nothing of
    /// it was written and the writer's state (head, counters) is unchanged, so the next group
    /// starts from the last durable commit. A full disk or map is `.insufficientStorage`, which
    /// callers may retry once space is freed; anything else is `.storage`.
    private func fail(_ group: [Request], _ error: any Error) {
        let failure = EventStoreError(lmdb: error, in: env)
        if case .insufficientStorage = failure, !refusingForSpace {
            refusingForSpace = true
            configuration.logger.error("appends refused until space is freed", metadata: ["reason": "\(failure)"])
        }
        group.forEach { $0.fail(failure) }
    }

    /// Doubles the map (up to the configured maximum). Returns false when it cannot grow further.
    private func growMap() -> Bool {
        let next = min(env.mapSize * 2, configuration.maxMapSize)
        guard next > env.mapSize else { return false }
        do { try env.growMap(to: next) } catch { return false }
        return true
    }

    private func writeCheckpoint(_ txn: WriteTransaction, _ state: inout GroupState) throws -> SignedCheckpoint {
        guard let key = configuration.checkpointKey else {
            throw LMDBError(operation: "sign checkpoint (no checkpoint key configured)", code: EINVAL)
        }
        let checkpoint = SignedCheckpoint.sign(position: state.head.position, hash: state.head.hash, at: configuration.clock(), key: key)
        try txn.put(dbs.checkpoints, BigEndian.bytes(checkpoint.position), checkpoint.stored)
        state.lastCheckpoint = checkpoint.position
        return checkpoint
    }

    /// Signs the head at close, but only over events this process wrote: a store opened to inspect
    /// or verify must never vouch for a chain it did not write (it may have been tampered with).
    private func signCheckpointAtClose() {
        guard configuration.checkpointKey != nil, head.position > lastCheckpoint, head.position > openedAt else { return }
        guard let txn = try? env.beginWrite() else { return }
        var state = GroupState(head: head, streamCount: streamCount, lastCheckpoint: lastCheckpoint)
        do {
            _ = try writeCheckpoint(txn, &state)
            try txn.commit()
            lastCheckpoint = state.lastCheckpoint
        } catch {
            txn.abort()
        }
    }

    // MARK: Deciding one append

    private func decideAndWrite(_ batch: [StreamAppend], _ metadata: AppendMetadata, _ txn: WriteTransaction, _ state: inout GroupState) throws -> Outcome {
        if let problem = AppendValidation.problem(in: batch, metadata: metadata) {
            return .rejected(.invalidAppend(problem))
        }
        if let refused = refusedSubject(in: batch) { return .rejected(.subjectErased(refused)) }
        switch try storedCopies(of: batch, txn) {
        case .none: break
        case .some(.success(let results)): return .appended(results)
        case .some(.failure(let error)): return .rejected(error)
        }
        var versions: [String: UInt64] = [:]
        for append in batch {
            let actual = try versions[append.stream] ?? currentVersion(of: append.stream, txn)
            guard append.expected.isSatisfied(by: actual),
                  try append.lastEventId.map({ try isLastEvent($0, of: append.stream, at: actual, txn) }) ?? true else {
                return .rejected(.wrongExpectedVersion(stream: append.stream, expected: append.expected, actual: actual))
            }
            versions[append.stream] = actual + UInt64(append.events.count)
        }
        versions.removeAll(keepingCapacity: true)
        var results: [AppendResult] = []
        for append in batch {
            var version = try versions[append.stream] ?? currentVersion(of: append.stream, txn)
            if version == 0 { state.streamCount += 1 }
            var positions: [UInt64] = []
            positions.reserveCapacity(append.events.count)
            for event in append.events {
                version += 1
                try write(event, stream: append.stream, version: version, append.metadata ?? metadata, txn, &state)
                positions.append(state.head.position)
            }
            versions[append.stream] = version
            results.append(AppendResult(stream: append.stream, positions: positions, streamVersion: version, wasAlreadyStored: false))
        }
        return .appended(results)
    }

    private func write(_ event: ProposedEvent, stream: String, version: UInt64, _ metadata: AppendMetadata, _ txn: WriteTransaction, _ state: inout GroupState) throws {
        let position = state.head.position + 1
        let recordedAt = max(configuration.clock(), state.head.recordedAt)
        EnvelopeCodec.encode(
            .init(position: position, streamVersion: version, recordedAt: recordedAt, stream: stream, event: event,
                  actor: metadata.actor, source: metadata.source, correlationId: metadata.correlationId,
                  causationId: metadata.causationId, reason: metadata.reason),
            into: &scratch)
        let hash = state.head.hash.bytes.withUnsafeBytes { previous in
            scratch.withUnsafeBytes { record in SHA256Digest.hash(previous, record) }
        }
        scratch.append(contentsOf: hash.bytes)
        let positionKey = BigEndian.bytes(position)
        try positionKey.withUnsafeBytes { (key) in
            try scratch.withUnsafeBytes { (value) in
                try txn.put(dbs.events, key, value, flags: MDB_APPEND)
            }
            try withUnsafeBytes(of: event.id.uuid) { (id) in
                try txn.put(dbs.eventIds, id, key, flags: MDB_NOOVERWRITE)
            }
            try withUTF8Bytes(metadata.actor.id) { try txn.put(dbs.actors, $0, key) }
        }
        try txn.put(dbs.streams, StreamIndex.key(stream, version), positionKey)
        if let sealed = event.sealed, let slot = sealed.keySlot, let keySlots = dbs.keySlots {
            // Only a subject's first event under a slot writes: a lookup dirties no page, and most
            // events of a subject reuse its slot.
            let key = LogDatabases.keySlotKey(sealed.subject, slot)
            if try txn.get(keySlots, key) == nil { try txn.put(keySlots, key, positionKey) }
        }
        state.head = LogHead(position: position, hash: hash, recordedAt: recordedAt)
        state.events += 1
        state.types.insert(AppendedTypes.index(of: event.type))
    }

    /// The first subject of a sealed event in `batch` whose erasure has begun.
    private func refusedSubject(in batch: [StreamAppend]) -> String? {
        refusedSubjects.withLock { refused in
            guard !refused.isEmpty else { return nil }
            for append in batch {
                for event in append.events {
                    if let subject = event.sealed?.subject, refused.contains(subject) { return subject }
                }
            }
            return nil
        }
    }

    /// Whether event `id` is `stream`'s event at `version` (`StreamAppend.lastEventId`).
    private func isLastEvent(_ id: UUID, of stream: String, at version: UInt64, _ txn: WriteTransaction) throws -> Bool {
        guard version > 0, let position = try txn.get(dbs.streams, StreamIndex.key(stream, version)) else { return false }
        guard let stored = try withUnsafeBytes(of: id.uuid, { try txn.get(dbs.eventIds, $0) }) else { return false }
        return position.elementsEqual(stored)
    }

    private func currentVersion(of stream: String, _ txn: WriteTransaction) throws -> UInt64 {
        try StreamIndex.currentVersion(of: stream, dbs: dbs, txn)
    }

    /// Idempotency: nil when no event of the batch is stored yet; the original results when every
    /// event is stored with the same content; a conflict when only some are, or content differs.
    private func storedCopies(of batch: [StreamAppend], _ txn: WriteTransaction) throws -> Result<[AppendResult], EventStoreError>? {
        var results: [AppendResult] = []
        var firstStored: (id: UUID, position: UInt64)?
        var anyMissing = false
        for append in batch {
            var positions: [UInt64] = []
            var lastVersion: UInt64 = 0
            for event in append.events {
                guard let found = try withUnsafeBytes(of: event.id.uuid, { try txn.get(dbs.eventIds, $0) }) else {
                    anyMissing = true
                    continue
                }
                let position = BigEndian.uint64(found)
                if firstStored == nil { firstStored = (event.id, position) }
                let matches = try BigEndian.bytes(position).withUnsafeBytes { key -> Bool in
                    guard let record = try txn.get(dbs.events, key), let stored = try? EnvelopeCodec.decode(record) else { return false }
                    lastVersion = stored.streamVersion
                    return stored.stream == append.stream && stored.type == event.type
                        && stored.schemaVersion == event.schemaVersion && stored.data == event.data && stored.sealed == event.sealed
                }
                guard matches else { return .failure(.eventIdConflict(id: event.id, storedAt: position)) }
                positions.append(position)
            }
            results.append(AppendResult(stream: append.stream, positions: positions, streamVersion: lastVersion, wasAlreadyStored: true))
        }
        guard let firstStored else { return nil }
        if anyMissing { return .failure(.eventIdConflict(id: firstStored.id, storedAt: firstStored.position)) }
        return .success(results)
    }
}

/// Calls `body` with the UTF-8 bytes of `string`, valid only during the call.
func withUTF8Bytes<T>(_ string: String, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
    var string = string
    return try string.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
}
