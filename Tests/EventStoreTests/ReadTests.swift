import Foundation
import Synchronization
import Testing
@testable import EventStore

@Suite("Reading")
struct ReadTests {
    @Test("a stream reads forward and backward from a version, with a limit")
    func streamReads() async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir.path)
        for n in 1...10 {
            try await store.append("s", [event("E", "\(n)")], expected: .exact(UInt64(n - 1)), metadata: testMetadata)
            try await store.append("noise", [event()], expected: .any, metadata: testMetadata)
        }
        #expect(try store.readStream("s").map(\.streamVersion) == Array(1...10))
        #expect(try store.readStream("s", from: 4, limit: 3).map(\.streamVersion) == [4, 5, 6])
        #expect(try store.readStream("s", from: 4, direction: .backward, limit: 3).map(\.streamVersion) == [4, 3, 2])
        #expect(try store.readStream("s", from: .max, direction: .backward, limit: 2).map(\.streamVersion) == [10, 9])
        #expect(try store.readStream("s", from: 11).isEmpty)
        #expect(try store.readStream("missing").isEmpty)
        #expect(try store.readStream("s", limit: 0).isEmpty)
        #expect(try store.readStream("s", from: 1, direction: .backward).map(\.streamVersion) == [1])
    }

    @Test("the global log reads forward with a limit and a type filter, and pages")
    func globalReads() async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir.path)
        for n in 0..<30 {
            try await store.append("s-\(n % 3)", [event(n % 5 == 0 ? "Rare" : "Common")], expected: .any, metadata: testMetadata)
        }
        #expect(try store.readAll(from: 5, limit: 4).map(\.position) == [5, 6, 7, 8])
        #expect(try store.readAll(types: ["Rare"]).map(\.position) == [1, 6, 11, 16, 21, 26])
        let page = try store.readPage(from: 1, limit: 2, types: ["Rare"])
        #expect(page.events.map(\.position) == [1, 6])
        #expect(page.next == 7)
        let bounded = try store.readPage(from: 2, limit: 10, types: ["Rare"], maxScan: 3)
        #expect(bounded.events.isEmpty)
        #expect(bounded.next == 5)
        #expect(try store.readAll(from: 31).isEmpty)
        #expect(try store.event(at: 31) == nil)
        let third = try #require(try store.event(at: 3))
        #expect(try store.event(id: third.id) == third)
    }

    @Test("events in a time range are found by binary search; recorded time never decreases")
    func timeRange() async throws {
        let dir = TemporaryDirectory()
        let now = Mutex<Int64>(1_000_000)
        let store = try openStore(dir.path, clock: { now.withLock { $0 } })
        for step in [0, 10, 10, 20, 30, -25, 40] as [Int64] {
            now.withLock { $0 += step }
            try await store.append("s", [event()], expected: .any, metadata: testMetadata)
        }
        // The clock went back by 25 ms before event 6: it keeps event 5's time.
        let times = try store.readAll().map(\.recordedAt)
        #expect(times == [1_000_000, 1_000_010, 1_000_020, 1_000_040, 1_000_070, 1_000_070, 1_000_085])
        #expect(try store.read(recordedFrom: 1_000_010, to: 1_000_041).map(\.position) == [2, 3, 4])
        #expect(try store.read(recordedFrom: 1_000_070, to: 2_000_000).map(\.position) == [5, 6, 7])
        #expect(try store.read(recordedFrom: 0, to: 1_000_001, limit: 5).map(\.position) == [1])
        #expect(try store.read(recordedFrom: 1_000_086, to: 2_000_000).isEmpty)
        #expect(try store.firstPosition(recordedAtOrAfter: 1_000_011) == 3)
    }

    @Test("events by actor, from a position")
    func byActor() async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir.path)
        let bob = AppendMetadata(actor: Actor(id: "bob", role: "agent"), source: .local())
        for n in 0..<10 {
            try await store.append("s", [event()], expected: .any, metadata: n % 2 == 0 ? testMetadata : bob)
        }
        #expect(try store.read(actor: "bob").map(\.position) == [2, 4, 6, 8, 10])
        #expect(try store.read(actor: "bob", from: 5, limit: 2).map(\.position) == [6, 8])
        #expect(try store.read(actor: "alice").count == 5)
        #expect(try store.read(actor: "carol").isEmpty)
    }

    @Test("statistics count events, streams, actors and checkpoints")
    func statistics() async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir.path, checkpointInterval: 4)
        for n in 0..<10 {
            try await store.append("s-\(n % 4)", [event()], expected: .any, metadata: testMetadata)
        }
        try await store.signCheckpoint()
        let stats = try store.statistics()
        #expect(stats.headPosition == 10)
        #expect(stats.events == 10)
        #expect(stats.streams == 4)
        #expect(stats.actors == 1)
        #expect(stats.checkpoints >= 3)
        #expect(stats.lastCheckpointPosition == 10)
    }
}

@Suite("Stream index")
struct StreamIndexTests {
    @Test("streams whose names prefix one another stay apart, in every direction")
    func prefixes() async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir.path)
        let names = ["s", "s1", "s-1", "s\u{1}", "r", "t", "ß"]
        for round in 1...3 {
            for (n, name) in names.enumerated() where n < names.count - round + 1 {
                try await store.append(name, [event("E", "\(name)#\(round)")], expected: .exact(UInt64(round - 1)), metadata: testMetadata)
            }
        }
        for (n, name) in names.enumerated() {
            let count = UInt64(min(3, names.count - n))
            #expect(try store.streamVersion(name) == count, "\(name)")
            #expect(try store.readStream(name).map(\.streamVersion) == Array(1...count))
            #expect(try store.readStream(name).allSatisfy { $0.stream == name })
            #expect(try store.readStream(name, from: .max, direction: .backward).map(\.streamVersion) == Array((1...count).reversed()))
            #expect(try store.readStream(name, from: 2, direction: .backward).map(\.streamVersion) == Array((1...min(2, count)).reversed()))
        }
        #expect(try store.streamVersion("s2") == 0)
        #expect(try store.readStream("s2").isEmpty)
        #expect(try store.readStream("", direction: .backward).isEmpty)
    }

    @Test("a stream id with a NUL character is refused")
    func nul() async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir.path)
        await #expect(throws: EventStoreError.invalidAppend("stream id contains a NUL character")) {
            try await store.append("a\u{0}b", [event()], expected: .any, metadata: testMetadata)
        }
    }
}
