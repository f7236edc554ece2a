import Foundation
import CLMDB

/// Reads of the `streams` index (stream id → dup-sorted `version ‖ position` pairs).
enum StreamIndex {
    /// The stream's last version, 0 when the stream does not exist.
    static func currentVersion(of stream: String, dbs: LogDatabases, _ txn: some LMDBReadable) throws -> UInt64 {
        let cursor = try txn.cursor(dbs.streams)
        return try withUTF8Bytes(stream) { key in
            guard try cursor.get(MDB_SET_KEY, key: key) != nil,
                  let last = try cursor.get(MDB_LAST_DUP) else { return 0 }
            return BigEndian.uint64(last.value)
        }
    }

    /// Positions of the stream's events from `version`, forward or backward, at most `limit`.
    static func positions(of stream: String, from version: UInt64, backward: Bool, limit: Int, dbs: LogDatabases, _ txn: some LMDBReadable) throws -> [UInt64] {
        let cursor = try txn.cursor(dbs.streams)
        return try withUTF8Bytes(stream) { key in
            guard limit > 0, try cursor.get(MDB_SET_KEY, key: key) != nil else { return [] }
            var entry: (key: Bytes, value: Bytes)?
            let probe = BigEndian.bytes(version) + BigEndian.bytes(0)
            entry = try probe.withUnsafeBytes { try cursor.get(MDB_GET_BOTH_RANGE, key: key, value: $0) }
            if backward {
                if let found = entry, BigEndian.uint64(found.value) > version {
                    entry = try cursor.get(MDB_PREV_DUP)
                } else if entry == nil, try cursor.get(MDB_SET_KEY, key: key) != nil {
                    entry = try cursor.get(MDB_LAST_DUP)
                }
            }
            var out: [UInt64] = []
            while let found = entry, out.count < limit {
                out.append(BigEndian.uint64(found.value, at: 8))
                entry = try cursor.get(backward ? MDB_PREV_DUP : MDB_NEXT_DUP)
            }
            return out
        }
    }
}
