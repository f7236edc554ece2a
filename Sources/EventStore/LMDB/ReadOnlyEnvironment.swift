import CLMDB
import Foundation

/// An LMDB environment (the log, the subject keys, the tokens, a read-model generation) opened
/// read-only beside the process that owns it, for `crm backup` and `crm doctor`.
///
/// Why it is safe next to a running server: `MDB_RDONLY` never writes the data file, and it takes
/// no `crm.lock` (that `flock` belongs to the server). It does register its read transactions in
/// the environment's existing `lock.mdb` reader table, as every LMDB reader must: that registration
/// is what stops the server's writer from reusing the pages a reader is looking at, so a copy or a
/// scan sees one consistent snapshot while appends go on. It creates no file, except `lock.mdb` in
/// an environment that has none (a copy nobody opened yet).
///
/// The map size is the one the owner recorded in the file; when the owner grows it while this is
/// open, the next transaction adopts the new size (`MDB_MAP_RESIZED`).
public final class ReadOnlyEnvironment: Sendable {
    /// The environment's directory (holding `data.mdb`).
    public let directory: String
    let env: LMDBEnvironment

    /// Enough named databases for every environment of a data directory (a read model's tables).
    static let maxDatabases: UInt32 = 256

    /// Opens `directory` read-only.
    ///
    /// - Throws: `.missingDirectory` when there is no `data.mdb`, `.notAnEventStore` when it is not
    ///   an LMDB file, `.storage` otherwise (permissions, opened twice in this process).
    public init(directory: String) throws(EventStoreError) {
        self.directory = directory
        guard FileManager.default.fileExists(atPath: directory + "/data.mdb") else {
            throw .missingDirectory(directory + "/data.mdb")
        }
        do {
            // Map size 0: adopt the size the owner recorded in the file.
            env = try LMDBEnvironment(path: directory, mapSize: 0, maxDatabases: Self.maxDatabases, readOnly: true)
        } catch let error as LMDBError where error.code == MDB_INVALID || error.code == MDB_VERSION_MISMATCH {
            throw .notAnEventStore(path: directory, reason: "data.mdb is not an LMDB file of a supported version")
        } catch {
            throw .storage("cannot open \(directory) read-only: \(error)")
        }
    }

    /// Runs `body` on one consistent snapshot.
    func read<T>(_ body: (ReadTransaction) throws -> T) throws(EventStoreError) -> T {
        do { return try env.readFollowingGrowth(body) } catch let error as EventStoreError {
            throw error
        } catch {
            throw .storage("\(directory): \(error)")
        }
    }

    /// Entries of every named database, by name, from one snapshot: what a compacted copy must
    /// have too (`crm compact` compares them before it swaps the copy in).
    public func entryCounts() throws(EventStoreError) -> [String: Int] {
        try read { txn -> [String: Int] in
            // The main database (handle 1) holds one record per named database, keyed by its name.
            var names: [String] = []
            let cursor = try txn.cursor(1)
            var entry = try cursor.get(MDB_FIRST)
            while let (key, _) = entry {
                names.append(String(decoding: key, as: UTF8.self))
                entry = try cursor.get(MDB_NEXT)
            }
            var counts: [String: Int] = [:]
            for name in names {
                var dbi: MDB_dbi = 0
                // A plain record of the main database (not a named database) does not open; skip it.
                guard mdb_dbi_open(txn.txn, name, 0, &dbi) == MDB_SUCCESS else { continue }
                var stat = MDB_stat()
                mdb_stat(txn.txn, dbi, &stat)
                counts[name] = stat.ms_entries
            }
            return counts
        }
    }

    /// The value under `key` in the named database `database`, copied; nil when either is missing.
    /// (A read model generation keeps its `GenerationRecord` this way, in `_meta`.)
    public func value(database: String, key: [UInt8]) throws(EventStoreError) -> [UInt8]? {
        try read { txn -> [UInt8]? in
            var dbi: MDB_dbi = 0
            let opened = mdb_dbi_open(txn.txn, database, 0, &dbi)
            if opened == MDB_NOTFOUND { return nil }
            try check(opened, "mdb_dbi_open(\(database))")
            return try txn.get(dbi, key).map { Array($0) }
        }
    }
}

extension LMDBEnvironment {
    /// `read`, but when another process grew the map beyond this process's mapping
    /// (`MDB_MAP_RESIZED`, only possible for an environment this process does not write), adopts
    /// the new size and tries once more.
    func readFollowingGrowth<T>(_ body: (ReadTransaction) throws -> T) throws -> T {
        do {
            return try read(body)
        } catch let error as LMDBError where error.code == MDB_MAP_RESIZED {
            try adoptGrownMap()
            return try read(body)
        }
    }

    /// Re-maps at the size recorded in the file (`mdb_env_set_mapsize(env, 0)`), with no read
    /// transaction of this process open (the map lock is taken exclusively).
    func adoptGrownMap() throws {
        try mapLock.withExclusive { () throws in
            try check(mdb_env_set_mapsize(env, 0), "mdb_env_set_mapsize(0)")
        }
    }
}
