import CLMDB
import Foundation

/// Direct access to a closed store's LMDB file, the way an attacker with disk access would edit it.
struct RawLMDB {
    let env: OpaquePointer

    init(directory: String) throws {
        var env: OpaquePointer?
        guard mdb_env_create(&env) == 0 else { throw RawError("create") }
        mdb_env_set_maxdbs(env, 16)
        mdb_env_set_mapsize(env, 1 << 30)
        guard mdb_env_open(env, directory + "/log", 0, 0o640) == 0 else { throw RawError("open") }
        self.env = env!
    }

    struct RawError: Error { let what: String; init(_ what: String) { self.what = what } }

    /// Runs `body` in a write transaction on the named database and commits.
    func write(_ database: String, _ body: (OpaquePointer, MDB_dbi) throws -> Void) throws {
        var txn: OpaquePointer?
        guard mdb_txn_begin(env, nil, 0, &txn) == 0 else { throw RawError("begin") }
        var dbi: MDB_dbi = 0
        guard mdb_dbi_open(txn, database, 0, &dbi) == 0 else { mdb_txn_abort(txn); throw RawError("dbi") }
        do { try body(txn!, dbi) } catch { mdb_txn_abort(txn); throw error }
        guard mdb_txn_commit(txn) == 0 else { throw RawError("commit") }
    }

    static func key(_ position: UInt64) -> [UInt8] { withUnsafeBytes(of: position.bigEndian) { Array($0) } }

    func get(_ txn: OpaquePointer, _ dbi: MDB_dbi, _ key: [UInt8]) -> [UInt8]? {
        var k = MDB_val()
        var v = MDB_val()
        let found = key.withUnsafeBytes { bytes -> Bool in
            k.mv_size = bytes.count
            k.mv_data = UnsafeMutableRawPointer(mutating: bytes.baseAddress)
            return mdb_get(txn, dbi, &k, &v) == 0
        }
        return found ? Array(UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)) : nil
    }

    func put(_ txn: OpaquePointer, _ dbi: MDB_dbi, _ key: [UInt8], _ value: [UInt8]) throws {
        let rc = key.withUnsafeBytes { k in
            value.withUnsafeBytes { v in
                var kv = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
                var vv = MDB_val(mv_size: v.count, mv_data: UnsafeMutableRawPointer(mutating: v.baseAddress))
                return mdb_put(txn, dbi, &kv, &vv, 0)
            }
        }
        guard rc == 0 else { throw RawError("put") }
    }

    func delete(_ txn: OpaquePointer, _ dbi: MDB_dbi, _ key: [UInt8]) throws {
        let rc = key.withUnsafeBytes { k in
            var kv = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
            return mdb_del(txn, dbi, &kv, nil)
        }
        guard rc == 0 else { throw RawError("del") }
    }

    func close() { mdb_env_close(env) }
}
