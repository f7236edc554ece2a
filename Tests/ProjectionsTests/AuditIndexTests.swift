import Domain
import EventStore
import Foundation
import Projections
import Testing

@Suite("Audit index")
struct AuditIndexTests {
    /// Pages through a query until the end, collecting every position.
    static func all(_ query: AuditQuery, _ engine: ProjectionEngine, _ store: EventStore) throws -> [UInt64] {
        var query = query
        var out: [UInt64] = []
        while true {
            let page = try engine.read("audit") { reader in
                try query.positions(in: reader) { try store.event(at: $0) }
            }
            out += page.positions
            guard let next = page.next else { return out }
            query.fromPosition = next
        }
    }

    @Test("every filter and combination, paged, equals a scan of the raw log")
    func matchesBruteForce() async throws {
        let log = try await CompanyLog(customers: 25, years: 1, seed: 5)
        let engine = try log.engine([AuditIndexProjector()], batchSize: 97)
        try engine.catchUp()
        let events = try log.events().map(\.envelope)
        let actor = try #require(events.last { $0.type == "InteractionLogged" }?.actor.id)
        let client = try #require(events.last?.source.clientAddress)
        let record = try #require(events.first { $0.stream.hasPrefix("customer-") }?.stream)
        let queries: [(AuditQuery, (RecordedEvent) -> Bool)] = [
            (AuditQuery(actor: actor, limit: 7), { $0.actor.id == actor }),
            (AuditQuery(type: "InteractionLogged", limit: 50), { $0.type == "InteractionLogged" }),
            (AuditQuery(clientAddress: client, limit: 13), { $0.source.clientAddress == client }),
            (AuditQuery(record: record, limit: 2), { $0.stream == record }),
            (AuditQuery(actor: actor, type: "InteractionLogged", limit: 5), { $0.actor.id == actor && $0.type == "InteractionLogged" }),
            (AuditQuery(actor: actor, fromPosition: 100, throughPosition: log.head - 100, limit: 9),
             { $0.actor.id == actor && (100...(log.head - 100)).contains($0.position) }),
            (AuditQuery(fromPosition: 10, throughPosition: 40, limit: 8), { (10...40).contains($0.position) }),
        ]
        for (query, predicate) in queries {
            let expected = events.filter(predicate).map(\.position)
            #expect(!expected.isEmpty)
            #expect(try Self.all(query, engine, log.store) == expected, "\(query)")
        }
        try engine.rebuild("audit")
        try engine.catchUp()
        #expect(try engine.status(of: "audit").lastRebuild?.checksumsMatch == true)
    }

    @Test("the index never answers beyond the position it reflects")
    func boundedByCheckpoint() async throws {
        let log = try await CompanyLog(customers: 5, years: 1)
        let engine = try log.engine([AuditIndexProjector()])
        try engine.catchUp()
        let snapshot = try await engine.asOf("audit", position: 30)
        let page = try snapshot.read { reader in
            try AuditQuery(limit: 1000).positions(in: reader) { try log.store.event(at: $0) }
        }
        #expect(page.positions == Array(1...30))
        #expect(page.next == nil)
    }
}
