import CLMDB
import Foundation

/// How an LMDB environment uses its file and its map, for `crm doctor` and sizing a disk.
///
/// LMDB never shrinks its file: pages freed by later transactions go to a free list (the "free
/// DB", database 0) and are reused by later writes. So the file is `pagesInFile`, of which
/// `highWaterPages` were ever written, of which `freeListPages` are on the free list (reusable)
/// and `freeDBPages` hold the free list itself; what is left, `livePages`, is what a compacting
/// copy (`crm backup`, `crm compact`) writes.
public struct EnvironmentUsage: Sendable, Codable, Equatable {
    /// Size of `data.mdb` on disk.
    public var fileBytes: UInt64
    /// The map size recorded in the environment: how far the file may grow before the owner must
    /// grow the map (the log grows it itself, by doubling; other environments have a fixed map).
    public var mapBytes: UInt64
    public var pageSize: UInt64
    /// Pages ever written: the last used page number + 1 (the file is at least this long).
    public var highWaterPages: UInt64
    /// Pages on the free list, counted by walking the free DB (as `mdb_stat -f` does): each record
    /// of database 0 is a list of freed page numbers led by its count.
    public var freeListPages: UInt64
    /// Branch, leaf and overflow pages of the free DB itself.
    public var freeDBPages: UInt64
    /// Entries in the free DB: transactions whose freed pages are not yet reused.
    public var freeDBEntries: UInt64
    /// Transaction id of the last commit.
    public var lastTransaction: UInt64
    public var readersInUse: Int
    public var maxReaders: UInt32

    /// Pages holding data: what a compacting copy keeps.
    public var livePages: UInt64 { highWaterPages &- freeListPages &- freeDBPages }
    public var liveBytes: UInt64 { livePages * pageSize }
    /// Bytes a compaction would give back: the file beyond the live pages.
    public var reclaimableBytes: UInt64 { fileBytes > liveBytes ? fileBytes - liveBytes : 0 }
    /// Share of the map the written pages take (0…1).
    public var mapFill: Double { mapBytes == 0 ? 0 : Double(highWaterPages * pageSize) / Double(mapBytes) }
}

extension ReadOnlyEnvironment {
    /// The environment's usage, counted in one read transaction (while the owner writes, the
    /// file and map sizes may be a commit newer than the free list).
    public func usage() throws(EventStoreError) -> EnvironmentUsage {
        let (free, freeDB, entries) = try read { txn -> (UInt64, UInt64, UInt64) in
            // Database 0 is LMDB's free DB: key = transaction id, value = an ID list whose first
            // word is the number of page numbers that follow.
            var stat = MDB_stat()
            mdb_stat(txn.txn, 0, &stat)
            let cursor = try txn.cursor(0)
            var pages: UInt64 = 0
            var entry = try cursor.get(MDB_NEXT)
            while let (_, value) = entry {
                if value.count >= MemoryLayout<Int>.size {
                    pages += UInt64(value.loadUnaligned(as: Int.self))
                }
                entry = try cursor.get(MDB_NEXT)
            }
            return (pages, UInt64(stat.ms_branch_pages + stat.ms_leaf_pages + stat.ms_overflow_pages), UInt64(stat.ms_entries))
        }
        let info = env.info()
        let fileBytes = (try? FileManager.default.attributesOfItem(atPath: directory + "/data.mdb")[.size] as? NSNumber)?.uint64Value ?? 0
        return EnvironmentUsage(
            fileBytes: fileBytes, mapBytes: UInt64(info.me_mapsize), pageSize: UInt64(env.pageSize()),
            highWaterPages: UInt64(info.me_last_pgno + 1), freeListPages: free, freeDBPages: freeDB,
            freeDBEntries: entries, lastTransaction: UInt64(info.me_last_txnid),
            readersInUse: readers().filter { $0.transaction != nil }.count, maxReaders: info.me_maxreaders)
    }
}
