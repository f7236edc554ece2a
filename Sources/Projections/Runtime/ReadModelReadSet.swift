import EventStore

/// The stored bytes a query read, in the order it read them: what its answer is a function of.
///
/// A query is a function of a `ReadModelReader` (the values its `get`s return, and `position`).
/// Record one run (`ReadModelReader.recordingReads`), and a later snapshot that holds the same
/// bytes under the same keys gives the same answer — replaying the reads in order, the query would
/// read the same keys (each key it reads follows from the values before it) and get the same
/// values. `isUnchanged(in:)` checks exactly that, stopping at the first difference, so a caller
/// can keep an answer derived from the query (its encoded JSON, for instance) and reuse it as
/// long as the read model has not changed *for that answer*, whatever else the projector wrote.
///
/// A run that scanned a table cannot be checked this way (a scan reads a range, not keys); its
/// read set is never unchanged. The recording holds copies of the values read, so its memory is
/// that of the stored values.
public struct ReadModelReadSet: Sendable, Equatable {
    struct Read: Sendable, Equatable {
        var table: String
        var key: [UInt8]
        /// The stored value, nil when the key was absent.
        var value: [UInt8]?
    }

    var reads: [Read] = []
    /// False when the run scanned: a scan's range cannot be checked key by key.
    var checkable = true

    /// How many bytes the recorded values and keys hold.
    public var byteCount: Int {
        reads.reduce(0) { $0 + $1.key.count + ($1.value?.count ?? 0) }
    }

    /// Whether `reader` holds, under every key the recorded run read, the bytes it read: then the
    /// same query on `reader` returns the same answer, but for `reader.position`.
    ///
    /// Costs one lookup and one comparison per recorded read; stops at the first difference.
    public func isUnchanged(in reader: ReadModelReader) throws -> Bool {
        guard checkable else { return false }
        for read in reads {
            guard try reader.holds(read.value, in: read.table, at: read.key) else { return false }
        }
        return true
    }
}

/// Collects the reads of one query run (`ReadModelReader.recordingReads`). Used by one thread,
/// inside the read closure that created it.
final class ReadModelReadRecorder {
    var readSet = ReadModelReadSet()

    func noteGet(table: String, key: [UInt8], value: UnsafeRawBufferPointer?) {
        readSet.reads.append(.init(table: table, key: key, value: value.map { Array($0) }))
    }

    func noteScan() {
        readSet.checkable = false
    }
}
