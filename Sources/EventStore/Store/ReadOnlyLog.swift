import CLMDB
import Foundation

/// The event log of a data directory opened read-only, without its `crm.lock`: what `crm backup`
/// and `crm doctor` use beside a running server, and `crm compact` to check a compacted copy.
///
/// It never writes the log (see `ReadOnlyEnvironment` for what LMDB itself does), never signs a
/// checkpoint, and verifies with the same algorithm as `EventStore.verify` (`ChainVerifier`).
public final class ReadOnlyLog: Sendable {
    /// The data directory (the log is its `log/`).
    public let directory: String
    /// The log's LMDB environment, for its usage, its readers and compacting copies.
    public let environment: ReadOnlyEnvironment
    let dbs: LogDatabases

    /// Opens `<directory>/log` read-only.
    ///
    /// - Throws: `.missingDirectory` when the directory or its log does not exist,
    ///   `.notAnEventStore` when the log is not this store's format.
    public init(directory: String) throws(EventStoreError) {
        self.directory = directory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else { throw .missingDirectory(directory) }
        guard isDirectory.boolValue else { throw .notAnEventStore(path: directory, reason: "it is a file, not a directory") }
        guard FileManager.default.fileExists(atPath: directory + "/log/data.mdb") else {
            throw .notAnEventStore(path: directory, reason: "it has no log/data.mdb")
        }
        environment = try ReadOnlyEnvironment(directory: directory + "/log")
        dbs = try LogDatabases(readOnly: environment.env, path: directory)
    }

    /// The end of the log as last committed.
    public func head() throws(EventStoreError) -> LogHead {
        try environment.read { txn in try LogHead.recorded(in: txn, dbs) }
    }

    /// The head and the last signed checkpoint record, from one snapshot.
    public func headAndLastCheckpoint() throws(EventStoreError) -> (head: LogHead, checkpoint: SignedCheckpoint?) {
        try environment.read { txn in
            let head = try LogHead.recorded(in: txn, dbs)
            let last = try txn.cursor(dbs.checkpoints).get(MDB_LAST).flatMap { SignedCheckpoint(stored: $0.value) }
            return (head, last)
        }
    }

    /// Verifies the chain over `[from, to]` exactly as `EventStore.verify` does, under
    /// `checkpointKey` (nil: checkpoints are compared with the chain but not authenticated).
    public func verify(from: UInt64 = 1, to: UInt64? = nil, checkpointKey: HMACKey?, pageSize: Int = 16_384,
                       progress: ((UInt64) -> Void)? = nil) throws(EventStoreError) -> VerificationReport {
        try ChainVerifier(env: environment.env, dbs: dbs, key: checkpointKey)
            .verify(from: from, to: to, pageSize: pageSize, progress: progress)
    }

    /// Events in `(after, through]` whose type is in `types` (all events when nil), and the
    /// recorded time of the first of them: how far a read model whose checkpoint is `after` is
    /// behind. Reads headers only, a page per read transaction.
    public func pendingEvents(after: UInt64, through: UInt64, types: Set<String>?, pageSize: Int = 8192) throws(EventStoreError) -> (count: UInt64, oldestRecordedAt: Int64?) {
        var next = after + 1
        var count: UInt64 = 0
        var oldest: Int64?
        while next <= through {
            let scanned: Int = try environment.read { txn in
                let cursor = try txn.cursor(dbs.events)
                var entry = try cursor.get(MDB_SET_RANGE, key: BigEndian.bytes(next))
                var scanned = 0
                while let (key, value) = entry, scanned < pageSize {
                    let at = BigEndian.uint64(key)
                    guard at <= through else { break }
                    let matches: Bool
                    if let types {
                        do { matches = try EnvelopeCodec.typeMatches(value, types) } catch {
                            throw EventStoreError.corrupt(position: at, reason: "\(error)")
                        }
                    } else {
                        matches = true
                    }
                    if matches {
                        count += 1
                        if oldest == nil { oldest = EnvelopeCodec.recordedAt(of: value) }
                    }
                    next = at + 1
                    scanned += 1
                    entry = try cursor.get(MDB_NEXT)
                }
                return scanned
            }
            if scanned < pageSize { break }
        }
        return (count, oldest)
    }
}

extension LogDatabases {
    /// Opens the existing databases of a log read-only (no `MDB_CREATE`) and checks its format.
    /// The read transaction that opens them is committed, which keeps the handles for the life of
    /// the environment.
    init(readOnly env: LMDBEnvironment, path: String) throws(EventStoreError) {
        var opened: [MDB_dbi] = []
        var format: [UInt8]?
        let missing: String? = try Self.withCommittedRead(env, path: path) { txn in
            for name in ["events", "streams", "event_ids", "actors", "checkpoints", "meta"] {
                var dbi: MDB_dbi = 0
                let rc = mdb_dbi_open(txn, name, 0, &dbi)
                if rc == MDB_NOTFOUND { return name }
                try check(rc, "mdb_dbi_open(\(name))")
                opened.append(dbi)
            }
            format = try ReadTransaction(txn: txn).get(opened[5], MetaKey.format).map(Array.init)
            return nil
        }
        if let missing { throw .notAnEventStore(path: path, reason: "its log has no '\(missing)' database") }
        guard format == MetaKey.formatValue else {
            throw .notAnEventStore(path: path, reason: "log format is '\(format.map { String(decoding: $0, as: UTF8.self) } ?? "none")'")
        }
        events = opened[0]
        streams = opened[1]
        eventIds = opened[2]
        actors = opened[3]
        checkpoints = opened[4]
        meta = opened[5]
        keySlots = try Self.withCommittedRead(env, path: path) { txn -> MDB_dbi? in
            var dbi: MDB_dbi = 0
            let rc = mdb_dbi_open(txn, "key_slots", 0, &dbi)
            if rc == MDB_NOTFOUND { return nil }
            try check(rc, "mdb_dbi_open(key_slots)")
            return dbi
        }
    }

    private static func withCommittedRead<T>(_ env: LMDBEnvironment, path: String, _ body: (OpaquePointer) throws -> T) throws(EventStoreError) -> T {
        func attempt() throws -> T {
            try env.mapLock.withShared { () throws -> T in
                var txn: OpaquePointer?
                try check(mdb_txn_begin(env.env, nil, UInt32(MDB_RDONLY), &txn), "mdb_txn_begin(read)")
                let result: T
                do { result = try body(txn!) } catch {
                    mdb_txn_abort(txn)
                    throw error
                }
                try check(mdb_txn_commit(txn), "mdb_txn_commit(read)")
                return result
            }
        }
        do {
            do { return try attempt() } catch let error as LMDBError where error.code == MDB_MAP_RESIZED {
                try env.adoptGrownMap()
                return try attempt()
            }
        } catch let error as EventStoreError {
            throw error
        } catch {
            throw .storage("\(path)/log: \(error)")
        }
    }
}
