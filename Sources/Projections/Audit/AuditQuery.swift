import EventStore

/// An auditor's filter: any combination of actor, record (stream), event type, client address
/// and a position window (a time window converted by the caller), paged by position.
public struct AuditQuery: Sendable, Equatable {
    public var actor: String?
    public var record: String?
    public var type: String?
    public var clientAddress: String?
    /// First position to consider (inclusive); a page cursor is the last position seen + 1.
    public var fromPosition: UInt64
    /// Last position to consider (inclusive).
    public var throughPosition: UInt64
    public var limit: Int

    public init(actor: String? = nil, record: String? = nil, type: String? = nil, clientAddress: String? = nil,
                fromPosition: UInt64 = 1, throughPosition: UInt64 = .max, limit: Int = 100) {
        self.actor = actor
        self.record = record
        self.type = type
        self.clientAddress = clientAddress
        self.fromPosition = fromPosition
        self.throughPosition = throughPosition
        self.limit = limit
    }

    /// One page of matching positions, oldest first, and the cursor of the next page (nil when
    /// nothing more matches up to what the index reflects).
    ///
    /// The index with a filter value is scanned; the other filters are checked against the
    /// envelope header read through `envelope`, so a combined filter costs one scan of the
    /// narrowest chosen index. Without any filter, the window itself is the answer.
    public func positions(in reader: ReadModelReader, envelope: (UInt64) throws -> RecordedEvent?) throws -> (positions: [UInt64], next: UInt64?) {
        let through = min(throughPosition, reader.position)
        guard fromPosition <= through, limit > 0 else { return ([], nil) }
        let scans: [(ReadModelTable<UInt64>, String)] = [
            record.map { (AuditIndexProjector.byRecord, $0) }, actor.map { (AuditIndexProjector.byActor, $0) },
            type.map { (AuditIndexProjector.byType, $0) }, clientAddress.map { (AuditIndexProjector.byClient, $0) },
        ].compactMap { $0 }
        var found: [UInt64] = []
        var next: UInt64?
        func accept(_ position: UInt64) throws -> Bool {
            if found.count == limit { next = position; return false }
            if scans.count > 1 {
                guard let event = try envelope(position) else { return true }
                if let actor, event.actor.id != actor { return true }
                if let record, event.stream != record { return true }
                if let type, event.type != type { return true }
                if let clientAddress, event.source.clientAddress != clientAddress { return true }
            }
            found.append(position)
            return true
        }
        if let (table, value) = scans.first {
            let prefix = ReadModelKey.prefix(value)
            let after = fromPosition > 1 ? prefix + ReadModelKey.sortable(Int64(fromPosition - 1)) : nil
            try reader.scan(table, prefix: prefix, after: after) { _, position in
                guard position <= through else { return false }
                return try accept(position)
            }
        } else {
            var position = fromPosition
            while position <= through, try accept(position) { position += 1 }
        }
        return (found, next)
    }
}
