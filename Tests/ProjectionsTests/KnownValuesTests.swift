import EventStore
import Foundation
@testable import Projections
import Testing

/// What a generation keeps decoded between batches: the values its batches read (hot totals,
/// counters, cube cells), with their committed changes; not the keys a batch only wrote.
///
/// Found by the soak drill (scripts/drills/soak.sh): every key written was carried as well, so the
/// audit index's four write-once entries per event piled up to the 200,000-value limit (~100 MB
/// of heap at 40 events/s within 20 minutes), were dropped all at once, and piled up again.
@Suite("Decoded values carried between batches")
struct KnownValuesTests {
    @Test func writeOnceKeysAreNotCarriedAndReadKeysAre() async throws {
        let log = try CompanyLog(empty: ())
        let metadata = AppendMetadata(actor: Actor(id: "cti", role: "integrator"),
                                      source: Source(clientAddress: "10.0.0.9", userAgent: "cti", host: "pbx"))
        for i in 0..<200 {
            _ = try await log.store.append("ext-\(i % 4)", [ProposedEvent(type: "IntegrationPing", data: Array("{}".utf8))],
                                           expected: .any, metadata: metadata)
        }
        let events = try log.events()
        let audit = try ProjectionGeneration(directory: log.path + "/audit", number: 1, projector: AuditIndexProjector())
        let counting = try ProjectionGeneration(directory: log.path + "/counting", number: 1, projector: CountingProjector())
        for start in stride(from: 0, to: events.count, by: 20) {
            let batch = Array(events[start..<min(start + 20, events.count)])
            _ = try audit.apply(batch, checkpoint: batch.last!.position, projector: AuditIndexProjector())
            _ = try counting.apply(batch, checkpoint: batch.last!.position, projector: CountingProjector())
        }
        // 800 index entries written, none of them read again: nothing is kept.
        #expect(audit.knownCount == 0)
        let indexed = try audit.read { reader in
            var count = 0
            try reader.scan(AuditIndexProjector.byActor) { _, _ in count += 1; return true }
            return count
        }
        #expect(indexed == 200)
        // The counters (one per type, one per stream) are read by every batch: they stay decoded,
        // and what stays decoded is what was committed.
        #expect(counting.knownCount == 5)
        let counts = try counting.read { try RuntimeTests.counts($0) }
        #expect(counts == ["IntegrationPing": 200])
        let more = try await log.store.append("ext-0", [ProposedEvent(type: "IntegrationPing", data: Array("{}".utf8))],
                                              expected: .any, metadata: metadata)
        let next = try log.events().filter { $0.position == more.positions[0] }
        _ = try counting.apply(next, checkpoint: more.positions[0], projector: CountingProjector())
        #expect(try counting.read { try RuntimeTests.counts($0) } == ["IntegrationPing": 201])
    }
}
