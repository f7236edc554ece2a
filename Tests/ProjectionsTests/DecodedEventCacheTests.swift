import Domain
import EventStore
import Foundation
@testable import Projections
import Testing

/// The ring of decoded payloads holds the most recent positions only, however few of them are
/// decoded.
///
/// Found by the soak drill with heaptrack (RELIABILITY.md, defect 5): the live engine's readers
/// decode a few event types, so most positions are never decoded; a slot kept its payload until a
/// position of that slot was decoded again, and the ring filled ever more slowly, growing the heap
/// for hours after start (4.7 of the 5.3 MB the heap grew between minutes 12 and 28).
@Suite("Decoded event cache")
struct DecodedEventCacheTests {
    static func taggedData(_ position: UInt64) -> [UInt8] {
        Array(#"{"customerId":"c\#(position)","occurredAt":"2026-05-01T09:00:00Z","tag":"t"}"#.utf8)
    }

    static func tagged(_ position: UInt64) -> any DomainEvent {
        try! EventRegistry.domain.decode(type: CustomerTagged.eventType, version: 1, data: taggedData(position))
    }

    /// A reader that decodes one position in four leaves the ring a quarter full, not full.
    @Test func slotsOlderThanTheCoveredRangeAreEmptied() {
        let cache = DecodedEventCache(capacity: 16)
        cache.store((1...16).map { ($0, Self.tagged($0)) }, covering: 1...16)
        #expect(cache.payloadCount == 16)
        for start in stride(from: UInt64(17), through: 145, by: 8) {
            let range = start...(start + 7)
            cache.store(range.filter { $0 % 4 == 0 }.map { ($0, Self.tagged($0)) }, covering: range)
        }
        // The last 16 positions are 137...152; of them 140, 144, 148 and 152 were decoded.
        #expect(cache.payloadCount == 4)
        #expect(cache.lookup([137, 140, 152]).map { $0 != nil } == [false, true, true])
        #expect(cache.lookup([1, 9]).allSatisfy { $0 == nil })
    }

    /// A reader behind another keeps what the one ahead stored, and may still add its own.
    @Test func aReaderBehindKeepsNewerPayloads() {
        let cache = DecodedEventCache(capacity: 16)
        cache.store([(40, Self.tagged(40))], covering: 33...40)
        cache.store([(22, Self.tagged(22))], covering: 20...30)  // 24 shares 40's slot
        #expect(cache.lookup([40, 22]).map { $0 != nil } == [true, true])
        #expect(cache.payloadCount == 2)
    }

    /// A range longer than the ring touches each slot once and keeps the newest positions.
    @Test func aRangeLongerThanTheRing() {
        let cache = DecodedEventCache(capacity: 8)
        cache.store((1...8).map { ($0, Self.tagged($0)) }, covering: 1...8)
        cache.store([(1_000, Self.tagged(1_000))], covering: 9...1_000)
        #expect(cache.payloadCount == 1)
        #expect(cache.lookup([1_000]).first! != nil)
    }

    /// Through the feed: a reader following only `CustomerTagged` over a log of mostly other
    /// events keeps at most the tagged events of the last `capacity` positions.
    @Test func feedKeepsOnlyRecentPositions() async throws {
        let log = try CompanyLog(empty: ())
        let metadata = AppendMetadata(actor: Actor(id: "cti", role: "integrator"),
                                      source: Source(clientAddress: "10.0.0.9", userAgent: "cti", host: "pbx"))
        let registry = EventRegistry.domain
        for i in 0..<400 {
            let proposed = i % 5 == 0
                ? ProposedEvent(type: CustomerTagged.eventType, data: Self.taggedData(UInt64(i)))
                : ProposedEvent(type: "IntegrationPing", data: Array("{}".utf8))
            _ = try await log.store.append("ext-\(i % 4)", [proposed], expected: .any, metadata: metadata)
        }
        let cache = DecodedEventCache(capacity: 64)
        let feed = EventFeed(store: log.store, registry: registry, batchSize: 10, cache: cache)
        var checkpoint: UInt64 = 0
        // A reader of every type first (fills the ring), then one of CustomerTagged only.
        while checkpoint < 64 { checkpoint = try feed.next(after: checkpoint, through: 64, types: nil).reached }
        #expect(cache.payloadCount == 13)  // IntegrationPing is not a domain type: not decoded
        checkpoint = 0
        while checkpoint < 400 {
            checkpoint = try feed.next(after: checkpoint, through: 400, types: [CustomerTagged.eventType]).reached
        }
        // Positions 337...400: the tagged events among them are i = 340, 345, ..., 395 (position i + 1).
        #expect(cache.payloadCount == 12)
    }
}
