import CLMDB
import Foundation

/// The `streams` index: key `stream id (UTF-8) ‖ 0x00 ‖ version (u64 BE)`, value the position
/// (u64 BE). A stream's entries are contiguous and in version order; its current version is the
/// last key with its prefix.
///
/// A flat key rather than a dup-sorted one: with `MDB_DUPSORT`, every stream with many events is a
/// sub-database, and appending to it dirties its root and its leaf; a commit touching 64 streams
/// then writes about 128 pages instead of about 64 (measured in BENCHMARKS.md). Stream ids never
/// contain NUL (`AppendValidation`), so the separator makes the prefix unambiguous.
enum StreamIndex {
    /// The key of `version` in `stream`.
    static func key(_ stream: String, _ version: UInt64) -> [UInt8] {
        var key = Array(stream.utf8)
        key.reserveCapacity(key.count + 9)
        key.append(0)
        withUnsafeBytes(of: version.bigEndian) { key.append(contentsOf: $0) }
        return key
    }

    /// Whether `key` belongs to the stream whose prefix (`stream ‖ 0x00`) is `prefix`.
    private static func has(_ key: Bytes, prefix: [UInt8]) -> Bool {
        key.count == prefix.count + 8 && key.starts(with: prefix)
    }

    private static func version(_ key: Bytes) -> UInt64 { BigEndian.uint64(key, at: key.count - 8) }

    /// The stream's last version, 0 when the stream does not exist.
    static func currentVersion(of stream: String, dbs: LogDatabases, _ txn: some LMDBReadable) throws -> UInt64 {
        let prefix = Array(stream.utf8) + [0]
        let cursor = try txn.cursor(dbs.streams)
        let after = try cursor.get(MDB_SET_RANGE, key: key(stream, .max))
        if let after, has(after.key, prefix: prefix) { return version(after.key) }  // version UInt64.max itself
        guard let last = try cursor.get(after == nil ? MDB_LAST : MDB_PREV), has(last.key, prefix: prefix) else { return 0 }
        return version(last.key)
    }

    /// Positions of the stream's events from `version`, forward or backward, at most `limit`.
    static func positions(of stream: String, from version: UInt64, backward: Bool, limit: Int, dbs: LogDatabases, _ txn: some LMDBReadable) throws -> [UInt64] {
        guard limit > 0 else { return [] }
        let prefix = Array(stream.utf8) + [0]
        let cursor = try txn.cursor(dbs.streams)
        var entry = try cursor.get(MDB_SET_RANGE, key: key(stream, version))
        if backward {
            if let found = entry, has(found.key, prefix: prefix), Self.version(found.key) == version {
                // Start exactly at `version`.
            } else {
                entry = try cursor.get(entry == nil ? MDB_LAST : MDB_PREV)
            }
        }
        var out: [UInt64] = []
        while let found = entry, out.count < limit, has(found.key, prefix: prefix) {
            out.append(BigEndian.uint64(found.value))
            entry = try cursor.get(backward ? MDB_PREV : MDB_NEXT)
        }
        return out
    }
}
