import CLMDB
import Foundation
import Synchronization

/// An LMDB environment of named key/value tables for data derived from the log (read models,
/// their checkpoints, scratch replays), kept in its own directory so that its writes never take
/// the log's write lock.
///
/// Keys and values are bytes; keys sort bytewise. One writer at a time: `write` runs its body in
/// one transaction on the calling thread and commits before returning (LMDB write transactions
/// belong to the thread that began them, so the body must not suspend — it is synchronous). Any
/// number of `read`s run concurrently on snapshots.
///
/// Durability: a committed write is synced (`MDB_NOMETASYNC` only defers the meta page, which LMDB
/// documents as keeping the database intact and at worst losing the last transactions after a
/// system crash). Derived data rebuilds from the log, and a checkpoint written in the same
/// transaction as the data it covers rolls back with it, so nothing is applied twice or skipped.
public final class KeyValueStore: Sendable {
    /// The directory holding `data.mdb` and `lock.mdb`.
    public let directory: String
    /// Table names in the order given at open; a table is addressed by its index in this list.
    public let tableNames: [String]
    private let environment: LMDBEnvironment
    private let tables: [MDB_dbi]
    /// Serialises writers of this process before they reach LMDB's own writer mutex, so a waiting
    /// writer blocks here rather than inside LMDB.
    private let writeLock = Mutex(())

    /// Opens (creating the directory and the tables if missing) a store.
    ///
    /// `syncEveryCommit` drops `MDB_NOMETASYNC`: for data that does not rebuild from the log (the
    /// per-subject data keys), where losing the last commit after a system crash would make durable
    /// events unreadable.
    public init(directory: String, tables: [String], mapSize: Int = 16 << 30, syncEveryCommit: Bool = false) throws(EventStoreError) {
        self.directory = directory
        self.tableNames = tables
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            environment = try LMDBEnvironment(path: directory, mapSize: mapSize,
                                              maxDatabases: UInt32(tables.count + 1),
                                              extraFlags: syncEveryCommit ? 0 : MDB_NOMETASYNC)
            environment.clearStaleReaders()
            let txn = try environment.beginWrite()
            var opened: [MDB_dbi] = []
            do {
                for name in tables { opened.append(try environment.openDatabase(name, flags: 0, in: txn)) }
                try txn.commit()
            } catch {
                txn.abort()
                throw error
            }
            self.tables = opened
        } catch let error as EventStoreError {
            throw error
        } catch {
            throw .storage("cannot open key/value store at \(directory): \(error)")
        }
    }

    /// The id of the last transaction committed to this environment by any process, read from
    /// LMDB's meta pages without opening a transaction (`mdb_env_info`).
    ///
    /// It grows with every commit, so a value that has not changed since a snapshot was read
    /// proves that nothing was written since: callers cache what they derived from a snapshot
    /// and check this number instead of reading again (`TokenStore`). A commit of another process
    /// (`crm token revoke`) is seen as soon as that commit has returned, since the meta pages
    /// are read through the shared memory map.
    public var lastCommittedTransaction: Int {
        environment.info().me_last_txnid
    }

    /// Runs `body` on a consistent snapshot.
    public func read<T>(_ body: (KeyValueReader) throws -> T) throws -> T {
        try environment.read { txn in try body(KeyValueReader(txn: txn, tables: tables)) }
    }

    /// Runs `body` in one write transaction and commits it (durably) when it returns; if `body`
    /// throws, nothing it wrote is kept.
    ///
    /// LMDB's own failures leave as `EventStoreError`: `.insufficientStorage` when the disk is
    /// full (the transaction is rolled back and the same write succeeds once space is freed),
    /// `.storage` otherwise. What `body` throws itself passes through unchanged.
    public func write<T>(_ body: (KeyValueWriter) throws -> T) throws -> T {
        try writeLock.withLock { _ in
            let txn: WriteTransaction
            do { txn = try environment.beginWrite() } catch { throw EventStoreError(lmdb: error, in: environment) }
            let result: T
            do {
                result = try body(KeyValueWriter(transaction: txn, tables: tables))
            } catch {
                txn.abort()
                throw error is LMDBError ? EventStoreError(lmdb: error, in: environment) : error
            }
            // On failure LMDB has already ended the transaction: it must not be aborted again.
            do { try txn.commit() } catch { throw EventStoreError(lmdb: error, in: environment) }
            return result
        }
    }

    /// Bytes the environment's file uses (pages in use times page size).
    public func usedBytes() -> Int {
        let info = environment.info()
        return (info.me_last_pgno + 1) * Int(environment.pageSize())
    }
}

/// Reads of one snapshot; valid only inside the `read` or `write` body that handed it out. The
/// byte views passed to callbacks point into the map: copy what you keep.
public struct KeyValueReader {
    let txn: any LMDBReadable
    let tables: [MDB_dbi]

    /// The value under `key` in table `table`, copied.
    public func get(_ table: Int, _ key: [UInt8]) throws -> [UInt8]? {
        try txn.get(tables[table], key).map { Array($0) }
    }

    /// Calls `body` with the value under `key` without copying it.
    public func withValue<T>(_ table: Int, _ key: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T? {
        guard let value = try txn.get(tables[table], key) else { return nil }
        return try body(value)
    }

    /// Visits entries in key order from the first key `>= start` while `body` returns true.
    public func scan(_ table: Int, from start: [UInt8] = [], _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws {
        let cursor = try txn.cursor(tables[table])
        var entry = start.isEmpty ? try cursor.get(MDB_FIRST) : try cursor.get(MDB_SET_RANGE, key: start)
        while let (key, value) = entry {
            guard try body(key, value) else { return }
            entry = try cursor.get(MDB_NEXT)
        }
    }

    /// Visits entries in reverse key order from the last key `<= start` (the table's last key
    /// when `start` is nil) while `body` returns true.
    public func scanBackward(_ table: Int, from start: [UInt8]? = nil, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws {
        let cursor = try txn.cursor(tables[table])
        var entry: (key: Bytes, value: Bytes)?
        if let start {
            entry = try cursor.get(MDB_SET_RANGE, key: start)
            if let found = entry, !found.key.elementsEqual(start) {
                entry = try cursor.get(MDB_PREV)
            } else if entry == nil {
                entry = try cursor.get(MDB_LAST)
            }
        } else {
            entry = try cursor.get(MDB_LAST)
        }
        while let (key, value) = entry {
            guard try body(key, value) else { return }
            entry = try cursor.get(MDB_PREV)
        }
    }

    /// Number of entries in a table.
    public func count(_ table: Int) -> Int {
        var stat = MDB_stat()
        mdb_stat(txn.txn, tables[table], &stat)
        return stat.ms_entries
    }
}

/// The write transaction's view: reads see the transaction's own writes.
public struct KeyValueWriter {
    let transaction: WriteTransaction
    let tables: [MDB_dbi]

    /// Reads through this transaction.
    public var reader: KeyValueReader { KeyValueReader(txn: transaction, tables: tables) }

    public func put(_ table: Int, _ key: [UInt8], _ value: [UInt8]) throws {
        try transaction.put(tables[table], key, value)
    }

    public func delete(_ table: Int, _ key: [UInt8]) throws {
        try key.withUnsafeBytes { try transaction.delete(tables[table], $0) }
    }

    /// Removes every entry of a table.
    public func clear(_ table: Int) throws {
        try transaction.clear(tables[table])
    }
}
