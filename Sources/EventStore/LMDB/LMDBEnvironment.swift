import CLMDB
import Foundation
import Synchronization

/// One LMDB environment (a directory with `data.mdb` and `lock.mdb`) and its named databases.
///
/// Opened once per process with `MDB_NOTLS`, because Swift tasks hop between threads and a read
/// transaction must not be tied to the thread that began it. Syncs stay on (no `MDB_NOSYNC`,
/// no `MDB_NOMETASYNC`): a committed write transaction is on disk when `mdb_txn_commit` returns.
///
/// `@unchecked Sendable`: the `MDB_env` handle is documented as usable from many threads; read
/// transactions are created per use and never shared; write transactions are only begun by the
/// single writer thread (`GroupCommitWriter`); map resizes take `mapLock` exclusively while every
/// read transaction holds it shared.
final class LMDBEnvironment: @unchecked Sendable {
    let env: OpaquePointer
    let mapLock = ReadersWriterLock()
    private(set) var mapSize: Int
    /// Released only after `mdb_env_close` (properties are destroyed after `deinit`'s body), so
    /// another opener can never see the environment open twice.
    private let directoryLock: DirectoryLock?

    /// Opens (creating if asked) the environment at `path`.
    init(path: String, mapSize: Int, maxDatabases: UInt32, maxReaders: UInt32 = 1024, readOnly: Bool = false, extraFlags: Int32 = 0, holding directoryLock: DirectoryLock? = nil) throws {
        // LMDB forbids opening one environment twice in a process: the second opener takes the
        // lock file's POSIX lock (which the process already holds), believes it is alone,
        // re-initialises the shared mutexes under the first, and the first then crashes.
        let identity = Self.identity(of: path)
        guard Self.openPaths.withLock({ $0.insert(identity).inserted }) else {
            throw LMDBError(operation: "mdb_env_open(\(path)): already open in this process", code: 16)
        }
        self.identity = identity
        var handle: OpaquePointer?
        let created = mdb_env_create(&handle)
        guard created == MDB_SUCCESS, let handle else {
            _ = Self.openPaths.withLock { $0.remove(identity) }
            throw LMDBError(operation: "mdb_env_create", code: created == MDB_SUCCESS ? 12 : created)
        }
        do {
            try check(mdb_env_set_maxdbs(handle, maxDatabases), "mdb_env_set_maxdbs")
            try check(mdb_env_set_maxreaders(handle, maxReaders), "mdb_env_set_maxreaders")
            try check(mdb_env_set_mapsize(handle, mapSize), "mdb_env_set_mapsize")
            var flags = UInt32(MDB_NOTLS) | UInt32(extraFlags)
            if readOnly { flags |= UInt32(MDB_RDONLY) }
            try check(mdb_env_open(handle, path, flags, 0o640), "mdb_env_open(\(path))")
        } catch {
            mdb_env_close(handle)
            _ = Self.openPaths.withLock { $0.remove(identity) }
            throw error
        }
        env = handle
        self.directoryLock = directoryLock
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        self.mapSize = max(mapSize, info.me_mapsize)
    }

    deinit {
        mdb_env_close(env)
        _ = Self.openPaths.withLock { $0.remove(identity) }
    }

    /// Environments open in this process, by resolved directory path.
    private static let openPaths = Mutex<Set<String>>([])
    private let identity: String

    private static func identity(of path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Clears reader slots left behind by processes that died; returns how many were cleared.
    @discardableResult
    func clearStaleReaders() -> Int32 {
        var dead: Int32 = 0
        mdb_reader_check(env, &dead)
        return dead
    }

    /// Grows the map. Called only by the writer, with no write transaction open; waits for read
    /// transactions to end first.
    func growMap(to newSize: Int) throws {
        try mapLock.withExclusive { () in
            try check(mdb_env_set_mapsize(env, newSize), "mdb_env_set_mapsize(\(newSize))")
            mapSize = newSize
        }
    }

    /// Opens (creating) a named database inside a write transaction.
    func openDatabase(_ name: String, flags: Int32, in txn: WriteTransaction) throws -> MDB_dbi {
        var dbi: MDB_dbi = 0
        try check(mdb_dbi_open(txn.txn, name, UInt32(flags | MDB_CREATE), &dbi), "mdb_dbi_open(\(name))")
        return dbi
    }

    /// Runs `body` inside a read transaction that sees a consistent snapshot; the transaction ends
    /// (and its reader slot is freed) before this returns, so nothing read may escape as a pointer.
    func read<T>(_ body: (ReadTransaction) throws -> T) throws -> T {
        try mapLock.withShared { () throws -> T in
            var txn: OpaquePointer?
            try check(mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn), "mdb_txn_begin(read)")
            defer { mdb_txn_abort(txn) }
            return try body(ReadTransaction(txn: txn!))
        }
    }

    /// Begins the write transaction. Only the writer thread calls this.
    func beginWrite() throws -> WriteTransaction {
        var txn: OpaquePointer?
        try check(mdb_txn_begin(env, nil, 0, &txn), "mdb_txn_begin(write)")
        return WriteTransaction(txn: txn!)
    }

    /// Statistics of one database.
    func stat(_ dbi: MDB_dbi, in txn: ReadTransaction) -> MDB_stat {
        var stat = MDB_stat()
        mdb_stat(txn.txn, dbi, &stat)
        return stat
    }

    /// Size facts of the whole environment.
    func info() -> MDB_envinfo {
        var info = MDB_envinfo()
        mdb_env_info(env, &info)
        return info
    }

    /// Reader slots currently held by open read transactions of any process.
    func activeReaderCount() -> Int {
        var lines: [String] = []
        withUnsafeMutablePointer(to: &lines) { pointer in
            _ = mdb_reader_list(env, { message, context in
                let lines = context!.assumingMemoryBound(to: [String].self)
                lines.pointee.append(String(cString: message!))
                return 0
            }, UnsafeMutableRawPointer(pointer))
        }
        // One header line, then one line per active reader; "(no active readers)" when none.
        return lines.joined().split(separator: "\n").filter { $0.contains(where: \.isNumber) && !$0.contains("pid") }.count
    }

    /// Page size, for computing the file's used size.
    func pageSize() -> UInt32 {
        var stat = MDB_stat()
        mdb_env_stat(env, &stat)
        return stat.ms_psize
    }
}
