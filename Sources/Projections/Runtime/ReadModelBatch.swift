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
    /// Additions to counter maps (`add`) not yet merged into `pending`.
    private var sums: [Slot: [String: Int64]] = [:]
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
        let value: V? = try stored(slot, table)
        guard let added = sums[slot] else { return value }
        return Self.merge(value as? [String: Int64], added).map { $0 as! V }
    }

    /// The value under `slot` before the additions not merged yet.
    private func stored<V>(_ slot: Slot, _ table: ReadModelTable<V>) throws -> V? {
        switch pending[slot] ?? known.values[slot] {
        case let entry?:
            return try Self.unbox(entry, slot, table)
        case nil:
            let value = try committed(slot, table)
            known.values[slot] = value.map { .value($0) } ?? .deleted
            return value
        }
    }

    /// The committed value under `slot`, decoded from the transaction's snapshot.
    private func committed<V>(_ slot: Slot, _ table: ReadModelTable<V>) throws -> V? {
        try reader.withValue(slot.table, Array(slot.key.utf8)) { try ReadModelCodec.decode(V.self, from: $0, decoder: decoder) }
    }

    private static func unbox<V>(_ entry: consuming Pending, _ slot: Slot, _ table: ReadModelTable<V>) throws -> V? {
        switch entry {
        case .value(let value):
            guard let typed = value as? V else { throw ProjectionError.typeMismatch(table: table.name, key: slot.key) }
            return typed
        case .deleted:
            return nil
        }
    }

    /// The current value, taken out of the batch for a change in place (`update`, `modify`): the
    /// caller then holds the only reference to an array's or a dictionary's storage, and changing
    /// it does not copy it. Read with `get`, the batch kept a second reference, so every change
    /// copied the whole value: a schedule bucket of the state cycle grown by one id at a time was
    /// copied at each insertion, quadratic in its size. The caller puts the value back into
    /// `pending` (or leaves the slot as it was when there is none); a `change` that throws
    /// abandons the batch anyway. A committed value leaves `.deleted` in `known` as a placeholder,
    /// which `pending` hides for the rest of the batch and which makes `takeKnownAfterCommit`
    /// carry the changed value to the next batch, as it carries every value read.
    private mutating func take<V>(_ slot: Slot, _ table: ReadModelTable<V>) throws -> V? {
        if sums[slot] != nil { return try get(table, slot.key) }
        if let index = pending.index(forKey: slot) {
            guard case .value = pending.values[index] else { return nil }
            let (_, entry) = pending.remove(at: index)
            return try Self.unbox(consume entry, slot, table)
        }
        if let index = known.values.index(forKey: slot) {
            guard case .value = known.values.values[index] else { return nil }
            var entry = Pending.deleted
            swap(&entry, &known.values.values[index])
            return try Self.unbox(consume entry, slot, table)
        }
        // Not cached: decoded for this change only.
        let value = try committed(slot, table)
        known.values[slot] = .deleted
        return value
    }

    /// Stores `value` under `key` (replacing additions made to it in this batch).
    public mutating func put<V>(_ table: ReadModelTable<V>, _ key: String, _ value: V) throws {
        let slot = try slot(table, key)
        pending[slot] = .value(value)
        sums[slot] = nil
    }

    /// Removes `key` (and additions made to it in this batch).
    public mutating func delete<V>(_ table: ReadModelTable<V>, _ key: String) throws {
        let slot = try slot(table, key)
        pending[slot] = .deleted
        sums[slot] = nil
    }

    /// Adds `measures` to the counters under `key`: a missing counter counts as zero, a counter
    /// that reaches zero is removed, and the key is deleted when no counter is left.
    ///
    /// Additions are summed in memory and merged into the stored map once, when the batch is
    /// flushed (or the key is read): a cube cell that a thousand events of a batch add to is
    /// decoded, copied and written once, not copied once per event.
    public mutating func add(_ table: ReadModelTable<[String: Int64]>, _ key: String, _ measures: [String: Int64]) throws {
        guard !measures.isEmpty else { return }
        let slot = try slot(table, key)
        // One lookup of the slot, not one per measure.
        if let index = sums.index(forKey: slot) {
            // In place, measure by measure: `merge(_:uniquingKeysWith:)` went through a lazy
            // sequence and was 7.5 % of a cube rebuild's CPU.
            for (name, value) in measures { sums.values[index][name, default: 0] += value }
        } else {
            sums[slot] = measures
        }
    }

    /// `base` plus `added`, without zero counters; nil when none is left.
    private static func merge(_ base: [String: Int64]?, _ added: [String: Int64]) -> [String: Int64]? {
        var cell = base ?? [:]
        for (name, value) in added where value != 0 {
            let sum = cell[name, default: 0] + value
            cell[name] = sum == 0 ? nil : sum
        }
        return cell.isEmpty ? nil : cell
    }

    /// Merges every pending addition into `pending`.
    private mutating func mergeSums() throws {
        guard !sums.isEmpty else { return }
        let names = Dictionary(tableIndex.map { ($0.value, $0.key) }, uniquingKeysWith: { first, _ in first })
        for (slot, added) in sums {
            let table = ReadModelTable<[String: Int64]>(names[slot.table] ?? "")
            let merged = Self.merge(try stored(slot, table), added)
            pending[slot] = merged.map { .value($0) } ?? .deleted
        }
        sums = [:]
    }

    /// Changes the value under `key` in place, starting from `initial` when there is none.
    public mutating func update<V>(_ table: ReadModelTable<V>, _ key: String, default initial: @autoclosure () -> V, _ change: (inout V) throws -> Void) throws {
        let slot = try slot(table, key)
        var value = try take(slot, table) ?? initial()
        defer { pending[slot] = .value(value); sums[slot] = nil }
        try change(&value)
    }

    /// Changes an existing value in place; returns false (and changes nothing) when there is none.
    @discardableResult
    public mutating func modify<V>(_ table: ReadModelTable<V>, _ key: String, _ change: (inout V) throws -> Void) throws -> Bool {
        let slot = try slot(table, key)
        guard var value = try take(slot, table) else { return false }
        defer { pending[slot] = .value(value); sums[slot] = nil }
        try change(&value)
        return true
    }

    /// Writes every pending change in key order (LMDB inserts sorted keys fastest).
    ///
    /// The order is found by sorting indices, comparing the keys in place (one buffer holds them
    /// all) with `memcmp`. Sorting the entries themselves moved each key and value on every swap,
    /// with a retain and a release each, and took 7–13 % of a rebuild's CPU (perf, 1M events).
    mutating func flush(into writer: KeyValueWriter) throws {
        try mergeSums()
        let encoder = ReadModelCodec.encoder()
        var keyBytes: [UInt8] = []
        var spans: [KeySpan] = []
        var changes: [Pending] = []
        spans.reserveCapacity(pending.count)
        changes.reserveCapacity(pending.count)
        for (slot, change) in pending {
            let start = keyBytes.count
            keyBytes.append(contentsOf: slot.key.utf8)
            spans.append(KeySpan(table: slot.table, start: start, count: keyBytes.count - start))
            changes.append(change)
        }
        var order = Array(spans.indices)
        keyBytes.withUnsafeBufferPointer { bytes in
            spans.withUnsafeBufferPointer { spans in
                order.sort { a, b in
                    let x = spans[a], y = spans[b]
                    if x.table != y.table { return x.table < y.table }
                    let common = min(x.count, y.count)
                    let order = common == 0 ? 0 : memcmp(bytes.baseAddress! + x.start, bytes.baseAddress! + y.start, common)
                    return order != 0 ? order < 0 : x.count < y.count
                }
            }
        }
        for index in order {
            let span = spans[index]
            let key = Array(keyBytes[span.start ..< span.start + span.count])
            switch changes[index] {
            case .value(let value): try writer.put(span.table, key, try ReadModelCodec.encode(value, encoder: encoder))
            case .deleted: try writer.delete(span.table, key)
            }
        }
    }

    /// Where one pending key's bytes are in `flush`'s key buffer.
    private struct KeySpan {
        let table: Int
        let start: Int
        let count: Int
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
