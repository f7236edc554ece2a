import CLMDB

/// The named databases of the log environment and what their keys mean.
///
/// | database      | key                               | value                                   |
/// |---------------|-----------------------------------|-----------------------------------------|
/// | `events`      | position, u64 BE                  | envelope (`EnvelopeCodec`), hash at end |
/// | `streams`     | stream id ‖ 0x00 ‖ version u64 BE | position u64 BE                         |
/// | `event_ids`   | event id, 16 bytes                | position u64 BE                         |
/// | `actors`      | actor id, UTF-8 (dup-sorted)      | position u64 BE                         |
/// | `checkpoints` | position, u64 BE                  | `SignedCheckpoint` (80 bytes)           |
/// | `meta`        | ASCII name                        | see `MetaKey`                           |
/// | `key_slots`   | subject ‖ 0x00 ‖ key slot u64 BE  | position u64 BE of its first use        |
///
/// `key_slots` is written in the append's own transaction for every event sealed under a slot
/// (`SealedData.keySlot`): the one durable record of which keys hold a subject's data, which
/// erasure reads. A log written before it existed has none (read-only opens then see nil).
struct LogDatabases {
    let events: MDB_dbi
    let streams: MDB_dbi
    let eventIds: MDB_dbi
    let actors: MDB_dbi
    let checkpoints: MDB_dbi
    let meta: MDB_dbi
    let keySlots: MDB_dbi?

    static let count: UInt32 = 7

    init(opening env: LMDBEnvironment, in txn: WriteTransaction) throws {
        let dupFixed = MDB_DUPSORT | MDB_DUPFIXED
        events = try env.openDatabase("events", flags: 0, in: txn)
        streams = try env.openDatabase("streams", flags: 0, in: txn)
        eventIds = try env.openDatabase("event_ids", flags: 0, in: txn)
        actors = try env.openDatabase("actors", flags: dupFixed, in: txn)
        checkpoints = try env.openDatabase("checkpoints", flags: 0, in: txn)
        meta = try env.openDatabase("meta", flags: 0, in: txn)
        keySlots = try env.openDatabase("key_slots", flags: 0, in: txn)
    }

    /// The key of `subject`'s entry for `slot` in `key_slots`.
    static func keySlotKey(_ subject: String, _ slot: UInt64) -> [UInt8] {
        Array(subject.utf8) + [0] + BigEndian.bytes(slot)
    }
}

/// Keys of the `meta` database.
enum MetaKey {
    /// `"crm-eventlog/2"`: written when the log is created, checked on every open (format 1 kept
    /// the stream index dup-sorted).
    static let format = Array("format".utf8)
    /// position u64 BE ‖ hash (32) ‖ recorded ms i64 BE of the last event: lets verification notice
    /// a log whose tail was cut off.
    static let head = Array("head".utf8)
    /// Number of distinct streams, u64 BE.
    static let streamCount = Array("stream_count".utf8)

    static let formatValue = Array("crm-eventlog/2".utf8)
}

extension LogHead {
    /// The head recorded in `meta`, or `.empty` for a new log.
    static func recorded(in txn: some LMDBReadable, _ dbs: LogDatabases) throws -> LogHead {
        try txn.get(dbs.meta, MetaKey.head).flatMap(LogHead.init(stored:)) ?? .empty
    }

    var stored: [UInt8] {
        BigEndian.bytes(position) + hash.bytes + BigEndian.bytes(UInt64(bitPattern: recordedAt))
    }

    init?(stored bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 48, let hash = SHA256Digest(bytes: bytes[8..<40]) else { return nil }
        self.init(position: BigEndian.uint64(bytes), hash: hash, recordedAt: Int64(bitPattern: BigEndian.uint64(bytes, at: 40)))
    }
}
