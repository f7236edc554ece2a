import EventStore
import Foundation
import Projections
import Synchronization
import Testing

/// A projector's lag in seconds is how long the oldest event it does not reflect yet has waited
/// (in the log's recorded time), not the distance to the last event it applied.
///
/// Found by the soak drill (scripts/drills/soak.sh): under a steady load of interactions, every
/// projector that does not read them (pipeline, campaigns, cubes…) reported minutes of lag as soon
/// as it trailed the head by one event, because its last applied event was old; `/ready` (which
/// bounds the lag at 30 s) flapped to 503 on a healthy server.
@Suite("Projector lag")
struct ProjectorLagTests {
    /// A store whose recorded times the test sets.
    final class ManualClock: Sendable {
        let milliseconds = Mutex<Int64>(1_800_000_000_000)
        func advance(seconds: Int64) { milliseconds.withLock { $0 += seconds * 1000 } }
        var now: Int64 { milliseconds.withLock { $0 } }
    }

    static let metadata = AppendMetadata(actor: Actor(id: "cti", role: "integrator"),
                                         source: Source(clientAddress: "10.0.0.9", userAgent: "cti", host: "pbx"))

    static func append(_ type: String, to store: EventStore) async throws {
        _ = try await store.append("ext-\(type)", [ProposedEvent(type: type, data: Array("{}".utf8))], expected: .any, metadata: metadata)
    }

    @Test("a projector whose types are rare is not minutes behind when one foreign event is pending")
    func lagSecondsCountsFromTheOldestPendingEvent() async throws {
        let path = NSTemporaryDirectory() + "crm-lag-test-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = ManualClock()
        let store = try EventStore(directory: path + "/data",
                                   configuration: .init(initialMapSize: 16 << 20, clock: { clock.now }))
        defer { store.close() }
        let engine = try ProjectionEngine(store: store, projectors: [CountingProjector(eventTypes: ["Rare"])],
                                          directory: path + "/projections")

        try await Self.append("Rare", to: store)               // applied at t0
        clock.advance(seconds: 600)
        for _ in 0..<3 { try await Self.append("Frequent", to: store) }  // scanned, not applied
        try engine.catchUp()
        var status = try engine.status(of: "counting")
        #expect(status.lagEvents == 0)
        #expect(status.lagSeconds == 0)

        // One new foreign event, not yet scanned: one event behind, and it has not waited at all.
        clock.advance(seconds: 1)
        try await Self.append("Frequent", to: store)
        status = try engine.status(of: "counting")
        #expect(status.lagEvents == 1)
        #expect(status.lagSeconds == 0, "lag \(status.lagSeconds) s, but the pending event is the head itself")

        // A second one 5 s later: the oldest pending event has waited 5 s of recorded time.
        clock.advance(seconds: 5)
        try await Self.append("Frequent", to: store)
        status = try engine.status(of: "counting")
        #expect(status.lagEvents == 2)
        #expect(status.lagSeconds == 5)

        // A pending event of its own types counts the same way.
        clock.advance(seconds: 2)
        try await Self.append("Rare", to: store)
        status = try engine.status(of: "counting")
        #expect(status.lagEvents == 3)
        #expect(status.lagSeconds == 7)

        try engine.catchUp()
        status = try engine.status(of: "counting")
        #expect(status.lagEvents == 0)
        #expect(status.lagSeconds == 0)
        let counts = try engine.read("counting") { try RuntimeTests.counts($0) }
        #expect(counts == ["Rare": 2])
    }
}
