import EventStore
import Foundation
@testable import Projections
import Testing

/// `ReadModelBatch.add`: additions are summed in memory and merged at flush, reads within the
/// batch see them, `put` replaces them, counters that reach zero go and so does a map left empty;
/// the stored result does not depend on how events were cut into batches.
@Suite("Counter additions merged at flush")
struct BatchAdditionTests {
    struct AddingProjector: Projector {
        static let counters = ReadModelTable<[String: Int64]>("counters")
        struct Mismatch: Error {}

        let name = "adding"
        let version = 1
        var tables: [String] { [Self.counters.name] }
        var eventTypes: Set<String>? { nil }
        var decodesPayloads: Bool { false }

        func apply(_ event: ProjectedEvent, to batch: inout ReadModelBatch) throws {
            let odd = event.position % 2 == 1
            let before = try batch.get(Self.counters, "all")?["events"] ?? 0
            try batch.add(Self.counters, "all", ["events": 1, "odd": odd ? 1 : 0])
            // Reads see the batch's additions.
            guard try batch.get(Self.counters, "all")?["events"] == before + 1 else { throw Mismatch() }
            // A new map whose additions net out is never stored.
            try batch.add(Self.counters, "transient-\(event.position)", ["x": 1])
            try batch.add(Self.counters, "transient-\(event.position)", ["x": -1])
            guard try batch.get(Self.counters, "transient-\(event.position)") == nil else { throw Mismatch() }
            // `put` replaces what was added before it; later additions go on top.
            try batch.add(Self.counters, "last", ["p": 1000])
            try batch.put(Self.counters, "last", ["p": Int64(event.position)])
            try batch.add(Self.counters, "last", ["q": 1])
            // +1 at odd positions, −1 at even ones: present after an odd number of events only.
            try batch.add(Self.counters, "toggle", ["t": odd ? 1 : -1])
        }
    }

    static func contents(_ generation: ProjectionGeneration) throws -> [String: [String: Int64]] {
        try generation.read { reader in
            var out: [String: [String: Int64]] = [:]
            try reader.scan(AddingProjector.counters) { key, value in
                out[key] = value
                return true
            }
            return out
        }
    }

    @Test("batches of 1, 3 and all events store the same counters")
    func additions() async throws {
        let log = try CompanyLog(empty: ())
        let metadata = AppendMetadata(actor: Actor(id: "cti", role: "integrator"),
                                      source: Source(clientAddress: "10.0.0.9", userAgent: "cti", host: "pbx"))
        for i in 0..<11 {
            _ = try await log.store.append("ext-\(i % 3)", [ProposedEvent(type: "IntegrationPing", data: Array("{}".utf8))],
                                           expected: .any, metadata: metadata)
        }
        let events = try log.events()
        var checksums: [SHA256Digest] = []
        for size in [1, 3, events.count] {
            let generation = try ProjectionGeneration(directory: log.path + "/adding-\(size)", number: 1, projector: AddingProjector())
            for start in stride(from: 0, to: events.count, by: size) {
                let batch = Array(events[start..<min(start + size, events.count)])
                _ = try generation.apply(batch, checkpoint: batch.last!.position, projector: AddingProjector())
            }
            #expect(try Self.contents(generation) == [
                "all": ["events": 11, "odd": 6],
                "last": ["p": 11, "q": 1],
                "toggle": ["t": 1],
            ])
            checksums.append(try generation.checksum())
        }
        #expect(checksums.count == 3 && Set(checksums.map(\.description)).count == 1)
    }
}
