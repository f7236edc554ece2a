import Foundation
import CLMDB

/// Sizes and counters of a store, for `crm stats`, `/v1/stats` and operators sizing a disk.
public struct StoreStatistics: Sendable, Codable, Equatable {
    public var headPosition: UInt64
    public var headHash: String
    public var events: UInt64
    public var streams: UInt64
    public var actors: UInt64
    public var checkpoints: UInt64
    public var lastCheckpointPosition: UInt64?
    public var mapSizeBytes: UInt64
    public var usedBytes: UInt64
    /// Reader slots held right now by open read transactions.
    public var readersInUse: Int
    public var maxReaders: UInt32
    /// Commits since the store was opened, and the events and requests they carried: the ratio is
    /// the average group-commit batch size.
    public var commitsSinceOpen: UInt64
    public var requestsSinceOpen: UInt64
    public var eventsSinceOpen: UInt64
    public var largestGroupSinceOpen: Int
}

extension EventStore {
    /// Current statistics.
    public func statistics() throws(EventStoreError) -> StoreStatistics {
        let written = metrics.snapshot
        return try read { txn in
            let head = try LogHead.recorded(in: txn, dbs)
            let streams = try MetaKey.streamCount.withUnsafeBytes { try txn.get(dbs.meta, $0).map { BigEndian.uint64($0) } } ?? 0
            let events = env.stat(dbs.events, in: txn)
            let checkpoints = env.stat(dbs.checkpoints, in: txn)
            let lastCheckpoint = try txn.cursor(dbs.checkpoints).get(MDB_LAST).map { BigEndian.uint64($0.key) }
            var actors: UInt64 = 0
            let cursor = try txn.cursor(dbs.actors)
            var entry = try cursor.get(MDB_FIRST)
            while entry != nil {
                actors += 1
                entry = try cursor.get(MDB_NEXT_NODUP)
            }
            let info = env.info()
            return StoreStatistics(
                headPosition: head.position, headHash: head.hash.description, events: UInt64(events.ms_entries),
                streams: streams, actors: actors, checkpoints: UInt64(checkpoints.ms_entries),
                lastCheckpointPosition: lastCheckpoint, mapSizeBytes: UInt64(info.me_mapsize),
                usedBytes: UInt64(info.me_last_pgno + 1) * UInt64(env.pageSize()),
                readersInUse: env.activeReaderCount(), maxReaders: info.me_maxreaders,
                commitsSinceOpen: written.commits, requestsSinceOpen: written.committedRequests,
                eventsSinceOpen: written.committedEvents, largestGroupSinceOpen: written.largestGroup)
        }
    }

    /// Every signed checkpoint, oldest first.
    public func checkpoints() throws(EventStoreError) -> [SignedCheckpoint] {
        try read { txn in
            var out: [SignedCheckpoint] = []
            let cursor = try txn.cursor(dbs.checkpoints)
            var entry = try cursor.get(MDB_FIRST)
            while let (_, value) = entry {
                if let checkpoint = SignedCheckpoint(stored: value) { out.append(checkpoint) }
                entry = try cursor.get(MDB_NEXT)
            }
            return out
        }
    }
}
