import EventStore

/// Indexes every event of the log by actor, record (stream), event type and client address, so
/// an auditor's "who did what to which record from where" is a prefix scan, not a log scan.
/// Time windows need no index: recorded times never decrease along the log, so a window is a
/// range of positions (`EventStore.firstPosition(recordedAtOrAfter:)`).
///
/// Keys are `value\0sortable(position)`; the stored value is the position, so an index entry
/// costs a few dozen bytes and the envelope itself is read from the log.
public struct AuditIndexProjector: Projector {
    public static let byActor = ReadModelTable<UInt64>("byActor")
    public static let byRecord = ReadModelTable<UInt64>("byRecord")
    public static let byType = ReadModelTable<UInt64>("byType")
    public static let byClient = ReadModelTable<UInt64>("byClient")

    public let name = "audit"
    public let version = 1
    public var tables: [String] { [Self.byActor.name, Self.byRecord.name, Self.byType.name, Self.byClient.name] }
    public var eventTypes: Set<String>? { nil }
    public var decodesPayloads: Bool { false }

    public init() {}

    public func apply(_ event: ProjectedEvent, to batch: inout ReadModelBatch) throws {
        let envelope = event.envelope
        let position = ReadModelKey.sortable(Int64(envelope.position))
        try batch.put(Self.byActor, ReadModelKey.join(envelope.actor.id, position), envelope.position)
        try batch.put(Self.byRecord, ReadModelKey.join(envelope.stream, position), envelope.position)
        try batch.put(Self.byType, ReadModelKey.join(envelope.type, position), envelope.position)
        try batch.put(Self.byClient, ReadModelKey.join(envelope.source.clientAddress, position), envelope.position)
    }
}
