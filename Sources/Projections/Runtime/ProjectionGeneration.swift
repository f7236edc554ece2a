import Domain
import EventStore
import Foundation
import Synchronization

/// One materialisation of a projector: its tables and checkpoint in an LMDB environment of its
/// own directory. The live read model, a rebuild's shadow, an as-of snapshot and a scratch
/// replay are all generations; they differ only in where they live and how far they go.
public final class ProjectionGeneration: Sendable {
    static let metaTable = "_meta"
    static let recordKey = Array("record".utf8)

    public let directory: String
    public let number: Int
    let store: KeyValueStore
    let tableIndex: [String: Int]
    let tableNames: [String]
    /// Committed values decoded by earlier batches (only the generation's single writer uses it).
    private let known = Mutex<[ReadModelBatch.Slot: ReadModelBatch.Pending]>([:])
    /// Above this many decoded values the cache starts over, bounding memory.
    static let knownLimit = 200_000

    /// The last generation record `read` decoded, with its stored bytes.
    private let lastRecord = Mutex<(bytes: [UInt8], record: GenerationRecord)?>(nil)

    /// How many decoded values the next batch starts with (tests and diagnostics).
    var knownCount: Int { known.withLock { $0.count } }

    /// Opens or creates the generation in `directory` for `projector`; a new one records
    /// `createdAtHead`, the log head as it is now (see `GenerationRecord.mayHoldErasedValues`).
    init(directory: String, number: Int, projector: any Projector, startPosition: UInt64 = 1, createdAtHead: UInt64 = 0) throws {
        self.directory = directory
        self.number = number
        let names = [Self.metaTable] + projector.tables.sorted()
        tableNames = names
        do {
            store = try KeyValueStore(directory: directory, tables: names)
        } catch {
            throw ProjectionError.storage("\(error)")
        }
        var index: [String: Int] = [:]
        for (i, name) in names.enumerated() { index[name] = i }
        tableIndex = index
        if try record() == nil {
            let initial = GenerationRecord(projector: projector.name, version: projector.version, generation: number,
                                           checkpoint: startPosition - 1, lastRecordedAt: 0, eventsApplied: 0,
                                           startPosition: startPosition, format: ReadModelCodec.valueFormat,
                                           createdAtHead: createdAtHead)
            try store.write { writer in try writer.put(0, Self.recordKey, try JSONEncoder().encode(initial).bytes) }
        }
    }

    /// The stored record (checkpoint, version).
    public func record() throws -> GenerationRecord? {
        try store.read { reader in try Self.record(in: reader) }
    }

    /// The record in `reader`, decoded once per distinct stored value: every query reads it
    /// (its checkpoint is the answer's position), and it changes only when a batch commits, so
    /// the JSON is decoded again only when its bytes differ from the last ones decoded.
    private func decodedRecord(in reader: KeyValueReader) throws -> GenerationRecord? {
        try reader.withValue(0, Self.recordKey) { raw -> GenerationRecord in
            if let last = lastRecord.withLock({ last in last.flatMap { Self.sameBytes($0.bytes, raw) ? $0.record : nil } }) {
                return last
            }
            let record = try JSONDecoder().decode(GenerationRecord.self, from: Data(raw))
            lastRecord.withLock { $0 = (Array(raw), record) }
            return record
        }
    }

    /// Writes generation records (no dates in them) without `JSONEncoder`'s cost, once per batch.
    private static let recordEncoder = SortedJSONEncoder(dateFormat: { "\($0.timeIntervalSince1970)" }, fallback: { JSONEncoder() })

    /// Whether `raw` holds exactly `bytes`, by `memcmp` (a generic `elementsEqual` walks byte by byte).
    static func sameBytes(_ bytes: [UInt8], _ raw: UnsafeRawBufferPointer) -> Bool {
        bytes.count == raw.count && (raw.isEmpty || bytes.withUnsafeBytes { memcmp($0.baseAddress!, raw.baseAddress!, raw.count) == 0 })
    }

    static func record(in reader: KeyValueReader) throws -> GenerationRecord? {
        try reader.withValue(0, recordKey) { try JSONDecoder().decode(GenerationRecord.self, from: Data($0)) }
    }

    /// Applies `events` and moves the checkpoint to `checkpoint` in one durable transaction.
    /// Returns the new record. If `apply` throws, nothing of the batch is kept.
    func apply(_ events: [ProjectedEvent], checkpoint: UInt64, projector: any Projector) throws -> GenerationRecord {
        var carried: [ReadModelBatch.Slot: ReadModelBatch.Pending] = [:]
        defer { known.withLock { $0 = carried } }
        let keepsPersonalData = projector.keepsPersonalData
        let (record, next) = try store.write { writer -> (GenerationRecord, [ReadModelBatch.Slot: ReadModelBatch.Pending]) in
            // The record as the last read or write left it, unless its bytes changed (no JSON decoding per batch).
            guard var record = try decodedRecord(in: writer.reader) else { throw ProjectionError.storage("generation record missing in \(directory)") }
            // The cache is moved into the batch with no other reference left to it: a second one
            // (a local kept for the closure) made the batch's first write to it copy all of it,
            // up to `knownLimit` entries, at every batch (perf: 7.6 % of the CPU of a live state-cycle run on 152,000 customers).
            var batch = ReadModelBatch(reader: writer.reader, tableIndex: tableIndex, known: known.withLock { known in
                var taken: [ReadModelBatch.Slot: ReadModelBatch.Pending] = [:]
                swap(&taken, &known)
                return taken
            })
            for event in events {
                do {
                    try projector.apply(event, to: &batch)
                } catch {
                    throw ApplyFailure(position: event.position, reason: "\(error)")
                }
                record.lastRecordedAt = event.envelope.recordedAt
                if keepsPersonalData, event.envelope.type == SubjectErased.eventType { record.lastErasure = event.position }
            }
            try batch.flush(into: writer)
            record.eventsApplied += UInt64(events.count)
            record.checkpoint = max(record.checkpoint, checkpoint)
            let encoded = try Self.recordEncoder.encode(record)
            try writer.put(0, Self.recordKey, encoded)
            // Known before it commits: if the commit fails, the stored bytes differ and are decoded.
            lastRecord.withLock { $0 = (encoded, record) }
            return (record, batch.takeKnownAfterCommit(limit: Self.knownLimit))
        }
        // Only a committed batch's values are kept; a failed one leaves the cache empty.
        carried = next
        return record
    }

    /// Runs `body` on a snapshot of the tables with the position they reflect.
    public func read<T>(_ body: (ReadModelReader) throws -> T) throws -> T {
        try store.read { reader in
            let record = try decodedRecord(in: reader)
            return try body(ReadModelReader(reader: reader, tableIndex: tableIndex,
                                            position: record?.checkpoint ?? 0, recordedAt: record?.lastRecordedAt ?? 0))
        }
    }

    /// SHA-256 over every table's name, keys and values in order (the `_meta` record excluded):
    /// equal read models give equal checksums.
    public func checksum() throws -> SHA256Digest {
        try store.read { reader in
            var hasher = SHA256Hasher()
            for (index, name) in tableNames.enumerated() where index > 0 {
                hasher.update(Array(name.utf8) + [0])
                try reader.scan(index) { key, value in
                    var lengths = [UInt8]()
                    lengths.append(contentsOf: withUnsafeBytes(of: UInt32(key.count).bigEndian, Array.init))
                    lengths.append(contentsOf: withUnsafeBytes(of: UInt32(value.count).bigEndian, Array.init))
                    hasher.update(lengths)
                    hasher.update(key)
                    hasher.update(value)
                    return true
                }
            }
            return hasher.finalize()
        }
    }

    /// Bytes of the generation's file in use.
    public var usedBytes: Int { store.usedBytes() }
}

/// A projector threw on an event: where, and why.
struct ApplyFailure: Error {
    let position: UInt64
    let reason: String
}

extension Data {
    var bytes: [UInt8] { [UInt8](self) }
}
