import Foundation
import CLMDB

/// Which way to read a stream.
public enum ReadDirection: String, Sendable, Codable {
    case forward, backward
}

/// A page of the global log.
public struct LogPage: Sendable, Equatable {
    public var events: [RecordedEvent]
    /// The position to read from for the next page (one past the last event examined).
    public var next: UInt64
}

extension EventStore {
    /// Runs `body` in a read transaction, translating LMDB failures.
    func read<T>(_ body: (ReadTransaction) throws -> T) throws(EventStoreError) -> T {
        do { return try env.read(body) } catch let error as EventStoreError {
            throw error
        } catch {
            throw .storage("\(error)")
        }
    }

    func decode(_ bytes: Bytes, at position: UInt64) throws -> RecordedEvent {
        do { return try EnvelopeCodec.decode(bytes) } catch { throw EventStoreError.corrupt(position: position, reason: "\(error)") }
    }

    /// The end of the log as last committed.
    public func head() throws(EventStoreError) -> LogHead {
        try read { txn in
            try LogHead.recorded(in: txn, dbs)
        }
    }

    /// The stream's current version; 0 when the stream does not exist.
    public func streamVersion(_ stream: String) throws(EventStoreError) -> UInt64 {
        try read { try StreamIndex.currentVersion(of: stream, dbs: dbs, $0) }
    }

    /// The event at `position`, or nil beyond the head.
    public func event(at position: UInt64) throws(EventStoreError) -> RecordedEvent? {
        try read { txn in
            try BigEndian.bytes(position).withUnsafeBytes { key in
                try txn.get(dbs.events, key).map { try decode($0, at: position) }
            }
        }
    }

    /// Every key slot that holds data of `subject` (`key_slots`, written with each append).
    public func keySlots(of subject: String) throws(EventStoreError) -> [UInt64] {
        guard let table = dbs.keySlots else { return [] }
        return try read { txn in
            let prefix = Array(subject.utf8) + [0]
            let cursor = try txn.cursor(table)
            var slots: [UInt64] = []
            var entry = try cursor.get(MDB_SET_RANGE, key: prefix)
            while let found = entry, found.key.count == prefix.count + 8, found.key.starts(with: prefix) {
                slots.append(BigEndian.uint64(found.key, at: prefix.count))
                entry = try cursor.get(MDB_NEXT)
            }
            return slots
        }
    }

    /// The event with this id, or nil.
    public func event(id: UUID) throws(EventStoreError) -> RecordedEvent? {
        try read { txn in
            guard let found = try withUnsafeBytes(of: id.uuid, { try txn.get(dbs.eventIds, $0) }) else { return nil }
            let position = BigEndian.uint64(found)
            return try BigEndian.bytes(position).withUnsafeBytes { key in try txn.get(dbs.events, key).map { try decode($0, at: position) } }
        }
    }

    /// Which of `ids` are stored, in one read transaction (an import checks a whole batch at once).
    public func storedEventIds(_ ids: [UUID]) throws(EventStoreError) -> Set<UUID> {
        try read { txn in
            var found = Set<UUID>()
            for id in ids where try withUnsafeBytes(of: id.uuid, { try txn.get(dbs.eventIds, $0) }) != nil {
                found.insert(id)
            }
            return found
        }
    }

    /// A stream's events starting at `version` (inclusive), forward or backward, at most `limit`.
    /// Reading backward from `UInt64.max` starts at the stream's last event.
    public func readStream(_ stream: String, from version: UInt64 = 1, direction: ReadDirection = .forward, limit: Int = 1000) throws(EventStoreError) -> [RecordedEvent] {
        try read { txn in
            let positions = try StreamIndex.positions(of: stream, from: version, backward: direction == .backward, limit: limit, dbs: dbs, txn)
            return try positions.map { position in
                try BigEndian.bytes(position).withUnsafeBytes { key in
                    guard let bytes = try txn.get(dbs.events, key) else { throw EventStoreError.corrupt(position: position, reason: "indexed by stream '\(stream)' but missing") }
                    return try decode(bytes, at: position)
                }
            }
        }
    }

    /// The global log from `position` (inclusive), at most `limit` events, optionally only those whose
    /// type is in `types` (the filter reads the type from the header without decoding the data).
    public func readAll(from position: UInt64 = 1, limit: Int = 1000, types: Set<String>? = nil) throws(EventStoreError) -> [RecordedEvent] {
        try readPage(from: position, limit: limit, types: types).events
    }

    /// One page of the global log and where the next page starts. With a type filter, at most
    /// `maxScan` events are examined per page, so a rare type never turns one read into a scan of
    /// the whole log; `next` then says how far the scan got.
    public func readPage(from position: UInt64 = 1, limit: Int = 1000, types: Set<String>? = nil, maxScan: Int = 65_536) throws(EventStoreError) -> LogPage {
        try read { txn in
            var page = LogPage(events: [], next: Swift.max(position, 1))
            guard limit > 0 else { return page }
            let cursor = try txn.cursor(dbs.events)
            var entry = try cursor.get(MDB_SET_RANGE, key: BigEndian.bytes(page.next))
            var scanned = 0
            while let (key, value) = entry, page.events.count < limit, scanned < maxScan {
                let at = BigEndian.uint64(key)
                scanned += 1
                if let types {
                    let matches: Bool
                    do { matches = try EnvelopeCodec.typeMatches(value, types) } catch { throw EventStoreError.corrupt(position: at, reason: "\(error)") }
                    if matches { page.events.append(try decode(value, at: at)) }
                } else {
                    page.events.append(try decode(value, at: at))
                }
                page.next = at + 1
                entry = try cursor.get(MDB_NEXT)
            }
            return page
        }
    }

    /// Events recorded in `[from, to)` (ms since epoch), oldest first, at most `limit`.
    ///
    /// Recorded times never decrease along the log (the writer enforces it), so the first event is
    /// found by binary search over positions: no time index is needed.
    public func read(recordedFrom from: Int64, to: Int64, limit: Int = 1000) throws(EventStoreError) -> [RecordedEvent] {
        let start = try firstPosition(recordedAtOrAfter: from)
        guard start > 0 else { return [] }
        return try read { txn in
            var out: [RecordedEvent] = []
            let cursor = try txn.cursor(dbs.events)
            var entry = try BigEndian.bytes(start).withUnsafeBytes { try cursor.get(MDB_SET_RANGE, key: $0) }
            while let (key, value) = entry, out.count < limit {
                guard let time = EnvelopeCodec.recordedAt(of: value) else { throw EventStoreError.corrupt(position: BigEndian.uint64(key), reason: "unreadable header") }
                if time >= to { break }
                out.append(try decode(value, at: BigEndian.uint64(key)))
                entry = try cursor.get(MDB_NEXT)
            }
            return out
        }
    }

    /// The first position recorded at or after `time`; 0 when none is.
    public func firstPosition(recordedAtOrAfter time: Int64) throws(EventStoreError) -> UInt64 {
        try read { txn in
            let last = try LogHead.recorded(in: txn, dbs).position
            var low: UInt64 = 1
            var high = last + 1  // invariant: answer in [low, high]; high = last + 1 means none
            while low < high {
                let mid = low + (high - low) / 2
                let recorded = try BigEndian.bytes(mid).withUnsafeBytes { key in
                    try txn.get(dbs.events, key).flatMap(EnvelopeCodec.recordedAt(of:))
                }
                guard let recorded else { throw EventStoreError.corrupt(position: mid, reason: "missing during time search") }
                if recorded >= time { high = mid } else { low = mid + 1 }
            }
            return low > last ? 0 : low
        }
    }

    /// Events appended by `actor`, from `position` (inclusive), at most `limit`.
    public func read(actor: String, from position: UInt64 = 1, limit: Int = 1000) throws(EventStoreError) -> [RecordedEvent] {
        try read { txn in
            var out: [RecordedEvent] = []
            let cursor = try txn.cursor(dbs.actors)
            try withUTF8Bytes(actor) { key in
                guard limit > 0, try cursor.get(MDB_SET_KEY, key: key) != nil else { return }
                var entry = try BigEndian.bytes(position).withUnsafeBytes { try cursor.get(MDB_GET_BOTH_RANGE, key: key, value: $0) }
                while let found = entry, out.count < limit {
                    let at = BigEndian.uint64(found.value)
                    try BigEndian.bytes(at).withUnsafeBytes { k in
                        guard let bytes = try txn.get(dbs.events, k) else { throw EventStoreError.corrupt(position: at, reason: "indexed by actor but missing") }
                        out.append(try decode(bytes, at: at))
                    }
                    entry = try cursor.get(MDB_NEXT_DUP)
                }
            }
            return out
        }
    }

    /// Calls `body` with each header from `position` on, reading `pageSize` events per read
    /// transaction so that a long scan never pins old pages for long. Returns the number scanned.
    /// `body` returns false to stop early.
    @discardableResult
    public func scanHeaders(from position: UInt64 = 1, pageSize: Int = 8192, _ body: (EventHeader) throws -> Bool) throws -> UInt64 {
        var next = max(position, 1)
        var scanned: UInt64 = 0
        while true {
            var stop = false
            let count: Int = try read { txn in
                var count = 0
                let cursor = try txn.cursor(dbs.events)
                var entry = try BigEndian.bytes(next).withUnsafeBytes { try cursor.get(MDB_SET_RANGE, key: $0) }
                while let (key, value) = entry, count < pageSize {
                    let at = BigEndian.uint64(key)
                    let header: EventHeader
                    do { header = try EnvelopeCodec.decodeHeader(value) } catch { throw EventStoreError.corrupt(position: at, reason: "\(error)") }
                    count += 1
                    next = at + 1
                    if try !body(header) { stop = true; break }
                    entry = try cursor.get(MDB_NEXT)
                }
                return count
            }
            scanned += UInt64(count)
            if stop || count < pageSize { return scanned }
        }
    }

    /// Like `scanHeaders`, with the whole envelope decoded (data copied out).
    @discardableResult
    public func scanEvents(from position: UInt64 = 1, pageSize: Int = 4096, _ body: (RecordedEvent) throws -> Bool) throws -> UInt64 {
        var next = max(position, 1)
        var scanned: UInt64 = 0
        while true {
            let page = try readAll(from: next, limit: pageSize)
            for event in page {
                scanned += 1
                if try !body(event) { return scanned }
            }
            guard let last = page.last, page.count == pageSize else { return scanned }
            next = last.position + 1
        }
    }
}
