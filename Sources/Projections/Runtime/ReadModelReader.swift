import EventStore
import Foundation

/// A consistent snapshot of one read model for queries: every value read through it, and
/// `position`, come from the same LMDB read transaction, so an answer never mixes two moments.
/// Valid only inside the closure that hands it out.
public struct ReadModelReader {
    let reader: KeyValueReader
    let tableIndex: [String: Int]
    private let decoder = ReadModelCodec.decoder()
    /// The last log position this snapshot reflects.
    public let position: UInt64
    /// Recorded time (ms) of the event at `position`, 0 when none was applied.
    public let recordedAt: Int64
    /// Notes every read while a query runs under `recordingReads`.
    private var recorder: ReadModelReadRecorder?

    init(reader: KeyValueReader, tableIndex: [String: Int], position: UInt64, recordedAt: Int64) {
        self.reader = reader
        self.tableIndex = tableIndex
        self.position = position
        self.recordedAt = recordedAt
    }

    /// The same snapshot, known to reflect a later position too (the events in between are of
    /// types the projector ignores).
    func reflecting(_ later: UInt64) -> ReadModelReader {
        var reader = ReadModelReader(reader: reader, tableIndex: tableIndex, position: later, recordedAt: recordedAt)
        reader.recorder = recorder
        return reader
    }

    /// Runs `body` on this snapshot through a reader that records every value it reads, and
    /// returns `body`'s result with those reads (`ReadModelReadSet`), so that what was derived
    /// from them can be reused while a later snapshot holds the same bytes.
    public func recordingReads<T>(_ body: (ReadModelReader) throws -> T) rethrows -> (T, ReadModelReadSet) {
        var recording = self
        let recorder = ReadModelReadRecorder()
        recording.recorder = recorder
        let result = try body(recording)
        return (result, recorder.readSet)
    }

    private func index<V>(_ table: ReadModelTable<V>) throws -> Int {
        guard let index = tableIndex[table.name] else { throw ProjectionError.unknownTable(table.name) }
        return index
    }

    /// The value under `key`, or nil.
    public func get<V>(_ table: ReadModelTable<V>, _ key: String) throws -> V? {
        let keyBytes = Array(key.utf8)
        let value = try reader.withValue(try index(table), keyBytes) { raw in
            recorder?.noteGet(table: table.name, key: keyBytes, value: raw)
            return try ReadModelCodec.decode(V.self, from: raw, decoder: decoder)
        }
        if value == nil { recorder?.noteGet(table: table.name, key: keyBytes, value: nil) }
        return value
    }

    /// Whether table `name` holds exactly `expected` under `key` (nil: holds nothing there).
    func holds(_ expected: [UInt8]?, in name: String, at key: [UInt8]) throws -> Bool {
        guard let index = tableIndex[name] else { return false }
        let matches = try reader.withValue(index, key) { raw in
            guard let expected else { return false }
            return ProjectionGeneration.sameBytes(expected, raw)  // memcmp: a customer 360 is ~3 KB, read per request
        }
        return matches ?? (expected == nil)
    }

    /// Visits, in key order, the entries whose key starts with `prefix` and sorts after `after`
    /// (exclusive; a page cursor), while `body` returns true.
    public func scan<V>(_ table: ReadModelTable<V>, prefix: String = "", after: String? = nil, _ body: (String, V) throws -> Bool) throws {
        recorder?.noteScan()
        let prefixBytes = Array(prefix.utf8)
        var start = prefixBytes
        if let after, after.utf8.lexicographicallyPrecedes(prefix.utf8) == false { start = Array(after.utf8) + [0] }
        try reader.scan(try index(table), from: start) { key, value in
            guard key.starts(with: prefixBytes) else { return false }
            let text = String(decoding: key, as: UTF8.self)
            return try body(text, try ReadModelCodec.decode(V.self, from: value, decoder: decoder))
        }
    }

    /// Visits, in reverse key order, the entries whose key starts with `prefix` and sorts before
    /// `before` (exclusive), while `body` returns true.
    public func scanBackward<V>(_ table: ReadModelTable<V>, prefix: String = "", before: String? = nil, _ body: (String, V) throws -> Bool) throws {
        recorder?.noteScan()
        let prefixBytes = Array(prefix.utf8)
        var start: [UInt8]? = prefixBytes.isEmpty ? nil : prefixBytes + [0xFF, 0xFF, 0xFF, 0xFF]
        if let before { start = Array(before.utf8) }
        let exclusive = before.map { Array($0.utf8) }
        try reader.scanBackward(try index(table), from: start) { key, value in
            if let exclusive, key.elementsEqual(exclusive) { return true }
            guard key.starts(with: prefixBytes) else { return false }
            let text = String(decoding: key, as: UTF8.self)
            return try body(text, try ReadModelCodec.decode(V.self, from: value, decoder: decoder))
        }
    }

    /// Number of entries in a table.
    public func count<V>(_ table: ReadModelTable<V>) throws -> Int {
        recorder?.noteScan()
        return reader.count(try index(table))
    }
}
