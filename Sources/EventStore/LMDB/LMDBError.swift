import CLMDB

/// A failed LMDB call: the operation that failed, LMDB's return code and its message.
///
/// Internal: the store translates these into `EventStoreError` before they leave the module, so
/// nothing above EventStore ever sees LMDB codes.
struct LMDBError: Error, CustomStringConvertible {
    let operation: String
    let code: Int32

    var description: String {
        "\(operation): \(String(cString: mdb_strerror(code))) (\(code))"
    }

    var isMapFull: Bool { code == MDB_MAP_FULL }
    var isNotFound: Bool { code == MDB_NOTFOUND }
}

/// Turns an LMDB return code into a thrown error.
@inline(__always)
func check(_ code: Int32, _ operation: @autoclosure () -> String) throws {
    if code != MDB_SUCCESS { throw LMDBError(operation: operation(), code: code) }
}
