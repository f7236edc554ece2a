import Domain
import EventStore
import Foundation
@testable import Projections
import Testing

/// `ReadModelReadSet`: a query's recorded reads are unchanged in a later snapshot only if the
/// query answers the same there (the proof a cache of encoded answers relies on).
@Suite("Read sets")
struct ReadModelReadSetTests {
    @Test("an unchanged read set means an equal customer 360; the customers the later events touched are changed")
    func unchangedMeansEqual() async throws {
        let log = try await CompanyLog(customers: 30, years: 2, seed: 5)
        let engine = try log.engine([Customer360Projector()], batchSize: 97)
        try engine.catchUp()
        let events = try log.events()
        let ids = OperationalWorld(events).registered.keys.sorted()
        let position = log.head * 3 / 5
        let snapshot = try await engine.asOf("customer360", position: position)
        // Each customer's 360 as of `position`, with the reads it was built from.
        let past: [String: (Customer360?, ReadModelReadSet)] = try snapshot.read { reader in
            var past: [String: (Customer360?, ReadModelReadSet)] = [:]
            for id in ids {
                let recorded = try reader.recordingReads { try Customer360.query($0, customerId: id) }
                // The snapshot it was recorded on holds the same bytes.
                #expect(try recorded.1.isUnchanged(in: reader))
                past[id] = recorded
            }
            return past
        }
        var unchanged = 0, changed = 0
        try engine.read("customer360") { reader in
            for id in ids {
                let (then, reads) = past[id]!
                var now = try Customer360.query(reader, customerId: id)
                var earlier = then
                now?.position = 0
                earlier?.position = 0
                if try reads.isUnchanged(in: reader) {
                    unchanged += 1
                    #expect(now == earlier, "\(id): the read set is unchanged, so the 360 must be")
                } else {
                    changed += 1
                }
            }
        }
        // The later part of the log changes some customers and leaves others alone.
        #expect(unchanged > 0 && changed > 0, "unchanged \(unchanged), changed \(changed)")
        // A customer who never existed: the absence is a read too.
        let (none, absent) = try snapshot.read { reader in
            try reader.recordingReads { try Customer360.query($0, customerId: "no-such-customer") }
        }
        #expect(none == nil)
        #expect(try engine.read("customer360") { try absent.isUnchanged(in: $0) })
    }

    @Test("a run that scanned is never unchanged")
    func scansAreNotCheckable() async throws {
        let log = try await CompanyLog(customers: 5, years: 1, seed: 3)
        let engine = try log.engine([Customer360Projector()])
        try engine.catchUp()
        try engine.read("customer360") { reader in
            let (page, reads) = try reader.recordingReads { try CustomerList.query($0, filter: CustomerListFilter(), limit: 3) }
            #expect(!page.items.isEmpty)
            #expect(try !reads.isUnchanged(in: reader))
        }
    }
}
