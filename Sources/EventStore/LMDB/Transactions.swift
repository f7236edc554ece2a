import CLMDB

/// Byte views handed to the body of a transaction. They point into the memory map and are valid
/// only until the transaction ends: copy what you keep.
typealias Bytes = UnsafeRawBufferPointer

extension MDB_val {
    var bytes: Bytes { Bytes(start: mv_data, count: mv_size) }
}

/// Calls `body` with an `MDB_val` pointing at `bytes`.
@inline(__always)
func withValue<T, E: Error>(_ bytes: Bytes, _ body: (inout MDB_val) throws(E) -> T) throws(E) -> T {
    var value = MDB_val(mv_size: bytes.count, mv_data: UnsafeMutableRawPointer(mutating: bytes.baseAddress))
    return try body(&value)
}

/// A read-only view of a transaction; both read and write transactions offer it.
protocol LMDBReadable {
    var txn: OpaquePointer { get }
}

extension LMDBReadable {
    /// The value stored under `key`, or nil.
    func get(_ dbi: MDB_dbi, _ key: Bytes) throws -> Bytes? {
        var data = MDB_val()
        let rc = withValue(key) { k in mdb_get(txn, dbi, &k, &data) }
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_get")
        return data.bytes
    }

    /// The value under an array key.
    func get(_ dbi: MDB_dbi, _ key: [UInt8]) throws -> Bytes? {
        try key.withUnsafeBytes { try get(dbi, $0) }
    }

    func cursor(_ dbi: MDB_dbi) throws -> Cursor {
        var cursor: OpaquePointer?
        try check(mdb_cursor_open(txn, dbi, &cursor), "mdb_cursor_open")
        return Cursor(cursor: cursor!)
    }
}

/// A snapshot read transaction (`MDB_RDONLY`).
struct ReadTransaction: LMDBReadable {
    let txn: OpaquePointer
}

/// The single write transaction. Created, used and ended on the writer thread only.
struct WriteTransaction: LMDBReadable {
    let txn: OpaquePointer

    func put(_ dbi: MDB_dbi, _ key: Bytes, _ value: Bytes, flags: Int32 = 0) throws {
        let rc = withValue(key) { k in withValue(value) { v in mdb_put(txn, dbi, &k, &v, UInt32(flags)) } }
        try check(rc, "mdb_put")
    }

    func put(_ dbi: MDB_dbi, _ key: [UInt8], _ value: [UInt8], flags: Int32 = 0) throws {
        try key.withUnsafeBytes { k in try value.withUnsafeBytes { try put(dbi, k, $0, flags: flags) } }
    }

    func delete(_ dbi: MDB_dbi, _ key: Bytes) throws {
        let rc = withValue(key) { k in mdb_del(txn, dbi, &k, nil) }
        if rc == MDB_NOTFOUND { return }
        try check(rc, "mdb_del")
    }

    func commit() throws {
        try check(mdb_txn_commit(txn), "mdb_txn_commit")
    }

    /// Empties the database (keeps it open).
    func clear(_ dbi: MDB_dbi) throws {
        try check(mdb_drop(txn, dbi, 0), "mdb_drop")
    }

    func abort() { mdb_txn_abort(txn) }
}

/// A cursor over one database, closed by `close()` (cursors of read transactions must be closed
/// before the transaction ends).
struct Cursor: ~Copyable {
    let cursor: OpaquePointer

    /// Positions the cursor with `op` and returns the key and value there, or nil at the end.
    func get(_ op: MDB_cursor_op, key: Bytes? = nil, value: Bytes? = nil) throws -> (key: Bytes, value: Bytes)? {
        var k = MDB_val(mv_size: key?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: key?.baseAddress))
        var v = MDB_val(mv_size: value?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: value?.baseAddress))
        let rc = mdb_cursor_get(cursor, &k, &v, op)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_cursor_get")
        return (k.bytes, v.bytes)
    }

    /// Positions the cursor at an array key.
    func get(_ op: MDB_cursor_op, key: [UInt8]) throws -> (key: Bytes, value: Bytes)? {
        try key.withUnsafeBytes { try get(op, key: $0) }
    }

    /// Number of duplicates at the current key of an `MDB_DUPSORT` database.
    func duplicateCount() throws -> Int {
        var count = 0
        try check(mdb_cursor_count(cursor, &count), "mdb_cursor_count")
        return count
    }

    deinit { mdb_cursor_close(cursor) }
}

/// Big-endian fixed-width integers: LMDB compares keys as bytes, so big-endian keeps numeric order.
enum BigEndian {
    @inline(__always)
    static func bytes(_ value: UInt64) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    @inline(__always)
    static func uint64(_ bytes: Bytes, at offset: Int = 0) -> UInt64 {
        UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}
