/// What a read-model generation reflects, stored in the generation's own `_meta` table in the
/// same transaction as the changes it describes.
public struct GenerationRecord: Sendable, Codable, Equatable {
    public var projector: String
    public var version: Int
    public var generation: Int
    /// Every event up to and including this position is applied; nothing after it.
    public var checkpoint: UInt64
    /// Recorded time (ms) of the last applied event.
    public var lastRecordedAt: Int64
    /// Events applied so far (those of the projector's types).
    public var eventsApplied: UInt64
    /// First position replayed (1 for a live read model; later for a scratch replay of a range).
    public var startPosition: UInt64
    /// The value encoding the tables use (`ReadModelCodec.valueFormat`); absent in read models
    /// written before the binary format (JSON values), which are therefore rebuilt.
    public var format: Int?
    /// The log head when the generation was created. Every `SubjectErased` up to it was recorded
    /// after its subject's keys were destroyed, so the generation never read those values.
    public var createdAtHead: UInt64?
    /// Position of the last `SubjectErased` applied (projectors that keep personal data only).
    public var lastErasure: UInt64?

    /// Whether this generation was built by `projector` as it is now, in the current encoding.
    func isCurrent(for projector: any Projector) -> Bool {
        version == projector.version && (format ?? 1) == ReadModelCodec.valueFormat
    }

    /// Whether the generation's file may still hold values of a subject erased after it was
    /// created: read before the keys were destroyed, replaced by the marker since, but possibly
    /// left in pages LMDB has not reused. Such a generation is rebuilt from the log and deleted.
    public var mayHoldErasedValues: Bool { (lastErasure ?? 0) > (createdAtHead ?? 0) }
}
