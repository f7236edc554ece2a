import EventStore
import Foundation

/// The read model as `apply` sees it during one batch: reads see the batch's own writes, and
/// every change is held (decoded) in memory until the batch is flushed, once, into the write
/// transaction that also stores the checkpoint. A hot key (a pipeline total, a cube cell)
/// touched by a thousand events of a batch is therefore decoded once and written once; and
/// committed values stay decoded across batches (`known`, owned by the generation), so a
/// value is decoded from LMDB only the first time the runner reads it.
public struct ReadModelBatch {
    enum Pending: Sendable {
        case value(any Codable & Sendable)
        case deleted
    }

    struct Slot: Hashable, Sendable {
        let table: Int
        let key: String
    }

    let reader: KeyValueReader
    let tableIndex: [String: Int]
    /// Committed values already decoded (`.deleted` = known to be absent). A box, so that `get`
    /// can remember what it decoded without being `mutating`.
    final class Known {
        var values: [Slot: Pending]
        init(_ values: [Slot: Pending]) { self.values = values }
    }

    private(set) var pending: [Slot: Pending] = [:]
    let known: Known
    private let decoder = ReadModelCodec.decoder()

    init(reader: KeyValueReader, tableIndex: [String: Int], known: [Slot: Pending] = [:]) {
        self.reader = reader
        self.tableIndex = tableIndex
        self.known = Known(known)
    }

    func slot<V>(_ table: ReadModelTable<V>, _ key: String) throws -> Slot {
        guard let index = tableIndex[table.name] else { throw ProjectionError.unknownTable(table.name) }
        return Slot(table: index, key: key)
    }

    /// The current value under `key`, or nil.
    public func get<V>(_ table: ReadModelTable<V>, _ key: String) throws -> V? {
        let slot = try slot(table, key)
        switch pending[slot] ?? known.values[slot] {
        case .value(let value)?:
            guard let typed = value as? V else { throw ProjectionError.typeMismatch(table: table.name, key: key) }
            return typed
        case .deleted?:
            return nil
        case nil:
            let value = try reader.withValue(slot.table, Array(key.utf8)) { try ReadModelCodec.decode(V.self, from: $0, decoder: decoder) }
            known.values[slot] = value.map { .value($0) } ?? .deleted
            return value
        }
    }

    /// Stores `value` under `key`.
    public mutating func put<V>(_ table: ReadModelTable<V>, _ key: String, _ value: V) throws {
        pending[try slot(table, key)] = .value(value)
    }

    /// Removes `key`.
    public mutating func delete<V>(_ table: ReadModelTable<V>, _ key: String) throws {
        pending[try slot(table, key)] = .deleted
    }

    /// Changes the value under `key` in place, starting from `initial` when there is none.
    public mutating func update<V>(_ table: ReadModelTable<V>, _ key: String, default initial: @autoclosure () -> V, _ change: (inout V) throws -> Void) throws {
        var value = try get(table, key) ?? initial()
        try change(&value)
        try put(table, key, value)
    }

    /// Changes an existing value in place; returns false (and changes nothing) when there is none.
    @discardableResult
    public mutating func modify<V>(_ table: ReadModelTable<V>, _ key: String, _ change: (inout V) throws -> Void) throws -> Bool {
        guard var value = try get(table, key) else { return false }
        try change(&value)
        try put(table, key, value)
        return true
    }

    /// Writes every pending change in key order (LMDB inserts sorted keys fastest).
    func flush(into writer: KeyValueWriter) throws {
        let encoder = ReadModelCodec.encoder()
        var entries = pending.map { (table: $0.key.table, key: Array($0.key.key.utf8), change: $0.value) }
        entries.sort { a, b in
            if a.table != b.table { return a.table < b.table }
            return a.key.withUnsafeBytes { x in
                b.key.withUnsafeBytes { y in
                    let common = min(x.count, y.count)
                    let order = common == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, common)
                    return order != 0 ? order < 0 : x.count < y.count
                }
            }
        }
        for entry in entries {
            switch entry.change {
            case .value(let value): try writer.put(entry.table, entry.key, try ReadModelCodec.encode(value, encoder: encoder))
            case .deleted: try writer.delete(entry.table, entry.key)
            }
        }
    }

    /// Hands the decoded committed values over as the next batch's `known` values (moved, not
    /// copied), with this batch's changes to them. A key the batch wrote without ever reading it
    /// (an index entry written once, like the audit index's four per event) is not carried: no
    /// batch reads it again, and carrying every written key kept up to `limit` such values per
    /// generation in memory (the soak drill saw the heap rise by ~100 MB over 20 minutes at 40
    /// events/s, then drop when the limit emptied the cache, again and again).
    mutating func takeKnownAfterCommit(limit: Int) -> [Slot: Pending] {
        var next = known.values
        known.values = [:]
        guard next.count <= limit else { return [:] }
        for (slot, change) in pending where next[slot] != nil { next[slot] = change }
        pending = [:]
        return next
    }

    /// Number of keys changed so far.
    var changeCount: Int { pending.count }
}
