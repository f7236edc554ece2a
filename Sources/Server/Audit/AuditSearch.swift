import EventStore
import Projections

/// Finds the events an `AuditFilter` selects, a page at a time, in a fixed range of positions.
///
/// With the `audit` read model (`AuditIndexProjector`) and a filter on actor, stream, type or
/// client address, the part of the range the index reflects is answered by a prefix scan of the
/// narrowest index (`AuditQuery`); the part after it (the index trails the log by a few
/// milliseconds, or much more while it is rebuilt) is scanned from the log. Answers are therefore
/// always complete up to the range's end, whatever the index has reached, so a caller needs no
/// `minPosition`. Without the read model the whole range is scanned: by the log's own actor index
/// when an actor is given, else page by page with the type filter on the envelope header.
///
/// Synchronous and blocking (LMDB reads): call it through `offload`. A scan examines at most
/// `maxScan` events per page and then returns a short page with `next`, so a rare filter over a
/// long log never turns one request into a scan of the whole log.
struct AuditSearch: Sendable {
    /// The name of the audit index read model (`AuditIndexProjector.name`).
    static let indexName = "audit"

    /// The log: events are always read from it, whichever way their positions were found.
    let store: EventStore
    /// The read models; the `audit` one is used when present.
    let projections: ProjectionEngine?
    /// The most events one page examines by scanning the log.
    var maxScan = 65_536

    /// At most `limit` events matching `filter` in `range`, from position `from` on.
    func page(_ filter: AuditFilter, in range: ClosedRange<UInt64>, from: UInt64, limit: Int) throws -> AuditPage {
        var start = Swift.max(from, range.lowerBound)
        guard start <= range.upperBound, limit > 0 else { return AuditPage(events: [], next: nil) }
        var found: [RecordedEvent] = []
        let indexed = filter.actor != nil || filter.stream != nil || filter.type != nil || filter.clientAddress != nil
        if indexed, let projections, projections.names.contains(Self.indexName) {
            let store = store
            let query = AuditQuery(actor: filter.actor, record: filter.stream, type: filter.type, clientAddress: filter.clientAddress,
                                   fromPosition: start, throughPosition: range.upperBound, limit: limit)
            let (positions, next, reflected) = try projections.read(Self.indexName) { reader in
                let (positions, next) = try query.positions(in: reader) { try store.event(at: $0) }
                return (positions, next, reader.position)
            }
            for position in positions {
                guard let event = try store.event(at: position) else {
                    throw EventStoreError.corrupt(position: position, reason: "indexed by the audit read model but missing")
                }
                found.append(event)
            }
            if let next { return AuditPage(events: found, next: next) }
            // The index answered everything up to what it reflects; the log answers the rest.
            start = Swift.max(start, reflected + 1)
        }
        return try scan(filter, through: range.upperBound, from: start, limit: limit, found: found)
    }

    /// Scans the log from `from` through `through`, appending matches to `found` until `limit`.
    private func scan(_ filter: AuditFilter, through: UInt64, from: UInt64, limit: Int, found: [RecordedEvent]) throws -> AuditPage {
        var found = found
        var cursor = from
        var scanned = 0
        while found.count < limit, cursor <= through, scanned < maxScan {
            let wanted = Int(Swift.min(UInt64(limit - found.count), through - cursor + 1))
            let batch: [RecordedEvent]
            let reached: UInt64
            if let actor = filter.actor {
                batch = try store.read(actor: actor, from: cursor, limit: wanted)
                // Fewer than asked: the actor has no more events in the whole log.
                reached = batch.count < wanted ? through + 1 : (batch.last.map { $0.position + 1 } ?? through + 1)
                scanned += Swift.max(batch.count, 1)
            } else {
                let page = try store.readPage(from: cursor, limit: wanted, types: filter.type.map { [$0] }, maxScan: maxScan - scanned)
                batch = page.events
                reached = page.next
                scanned += Int(Swift.max(page.next - cursor, 1))
                if page.events.isEmpty && page.next == cursor { cursor = through + 1; break }  // the end of the log
            }
            for event in batch where event.position <= through && filter.matches(event) {
                found.append(event)
                if found.count == limit { return AuditPage(events: found, next: event.position < through ? event.position + 1 : nil) }
            }
            cursor = reached
        }
        return AuditPage(events: found, next: cursor <= through ? cursor : nil)
    }
}
