import Foundation
import Testing
@testable import EventStore

@Suite("Appending")
struct AppendTests {
    @Test("events get gap-free positions, stream versions and the full envelope")
    func appendAndReadBack() async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir.path)
        let correlation = UUID()
        let cause = UUID()
        let metadata = AppendMetadata(actor: testActor, source: testMetadata.source, correlationId: correlation, causationId: cause, reason: "customer asked")
        let first = try await store.append("customer-1", [event("A"), event("B")], expected: .noStream, metadata: metadata)
        let second = try await store.append("customer-2", [event("C")], expected: .noStream, metadata: testMetadata)
        #expect(first.positions == [1, 2])
        #expect(first.streamVersion == 2)
        #expect(second.positions == [3])
        #expect(second.streamVersion == 1)

        let stored = try #require(try store.event(at: 2))
        #expect(stored.type == "B")
        #expect(stored.stream == "customer-1")
        #expect(stored.streamVersion == 2)
        #expect(stored.actor == testActor)
        #expect(stored.source.clientAddress == "198.51.100.7")
        #expect(stored.correlationId == correlation)
        #expect(stored.causationId == cause)
        #expect(stored.reason == "customer asked")
        #expect(String(decoding: stored.data, as: UTF8.self) == #"{"text":"x"}"#)
        #expect(try store.event(at: 3)?.reason == nil)
        #expect(try store.event(at: 3)?.causationId == nil)
        #expect(try store.head().position == 3)
        #expect(try store.head().hash == stored.hash || store.head().hash == (try store.event(at: 3))?.hash)
        #expect(try store.streamVersion("customer-1") == 2)
        #expect(try store.streamVersion("nobody") == 0)
    }

    @Test("each expected-version kind is enforced, and a conflict names expected and actual and writes nothing")
    func expectedVersions() async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir.path)
        await #expect(throws: EventStoreError.wrongExpectedVersion(stream: "s", expected: .streamExists, actual: 0)) {
            try await store.append("s", [event()], expected: .streamExists, metadata: testMetadata)
        }
        await #expect(throws: EventStoreError.wrongExpectedVersion(stream: "s", expected: .exact(3), actual: 0)) {
            try await store.append("s", [event()], expected: .exact(3), metadata: testMetadata)
        }
        try await store.append("s", [event()], expected: .exact(0), metadata: testMetadata)
        await #expect(throws: EventStoreError.wrongExpectedVersion(stream: "s", expected: .noStream, actual: 1)) {
            try await store.append("s", [event()], expected: .noStream, metadata: testMetadata)
        }
        await #expect(throws: EventStoreError.wrongExpectedVersion(stream: "s", expected: .exact(0), actual: 1)) {
            try await store.append("s", [event()], expected: .exact(0), metadata: testMetadata)
        }
        try await store.append("s", [event()], expected: .streamExists, metadata: testMetadata)
        try await store.append("s", [event()], expected: .exact(2), metadata: testMetadata)
        try await store.append("s", [event()], expected: .any, metadata: testMetadata)
        #expect(try store.head().position == 4)
        #expect(try store.streamVersion("s") == 4)
    }

    @Test("a multi-stream append is all or nothing")
    func multiStreamAtomic() async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir.path)
        try await store.append("customer-b", [event("Registered")], expected: .noStream, metadata: testMetadata)
        // The second stream's check fails: neither stream may change.
        await #expect(throws: EventStoreError.wrongExpectedVersion(stream: "customer-b", expected: .exact(5), actual: 1)) {
            try await store.append([
                StreamAppend(stream: "customer-a", expected: .any, events: [event("Merged")]),
                StreamAppend(stream: "customer-b", expected: .exact(5), events: [event("Absorbed")]),
            ], metadata: testMetadata)
        }
        #expect(try store.head().position == 1)
        #expect(try store.streamVersion("customer-a") == 0)
        let results = try await store.append([
            StreamAppend(stream: "customer-a", expected: .noStream, events: [event("Merged")]),
            StreamAppend(stream: "customer-b", expected: .exact(1), events: [event("Absorbed")]),
        ], metadata: testMetadata)
        #expect(results.map(\.positions) == [[2], [3]])
        #expect(results.map(\.streamVersion) == [1, 2])
        // The same stream twice in one batch: the second check sees the first part's events.
        let twice = try await store.append([
            StreamAppend(stream: "customer-a", expected: .exact(1), events: [event()]),
            StreamAppend(stream: "customer-a", expected: .exact(2), events: [event()]),
        ], metadata: testMetadata)
        #expect(twice.map(\.streamVersion) == [2, 3])
    }

    @Test("an append naming the stream's last event commits only on top of that event, not on as many events of another writer")
    func lastEventIdIsChecked() async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir.path)
        let first = event("A")
        try await store.append("s", [first], expected: .noStream, metadata: testMetadata)
        // Decided on top of an append that never committed (its last event `lost`), while another
        // writer added one event: the version matches, the history does not.
        let lost = UUID()
        try await store.append("s", [event("Foreign")], expected: .any, metadata: testMetadata)
        await #expect(throws: EventStoreError.wrongExpectedVersion(stream: "s", expected: .exact(2), actual: 2)) {
            try await store.append([StreamAppend(stream: "s", expected: .exact(2), events: [event("B")], lastEventId: lost)], metadata: testMetadata)
        }
        // An id stored in another stream, or at another version of this one, is no match either.
        let elsewhere = event("Other")
        try await store.append("t", [elsewhere], expected: .noStream, metadata: testMetadata)
        for id in [elsewhere.id, first.id] {
            await #expect(throws: EventStoreError.wrongExpectedVersion(stream: "s", expected: .exact(2), actual: 2)) {
                try await store.append([StreamAppend(stream: "s", expected: .exact(2), events: [event("B")], lastEventId: id)], metadata: testMetadata)
            }
        }
        #expect(try store.head().position == 3)
        #expect(try store.streamVersion("s") == 2)
        // The stream's actual last event: committed, and the check is made on the first part only
        // where the same stream follows in the batch.
        let last = try #require(try store.readStream("s").last)
        let results = try await store.append([
            StreamAppend(stream: "s", expected: .exact(2), events: [event("B")], lastEventId: last.id),
            StreamAppend(stream: "s", expected: .exact(3), events: [event("C")]),
        ], metadata: testMetadata)
        #expect(results.map(\.streamVersion) == [3, 4])
    }

    @Test("a retried append returns the original positions and writes nothing")
    func idempotentRetry() async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir.path)
        let batch = [event("A", "1"), event("B", "2")]
        let first = try await store.append("s", batch, expected: .noStream, metadata: testMetadata)
        try await store.append("other", [event()], expected: .any, metadata: testMetadata)
        // The retry would fail its expected version if it were appended again.
        let retry = try await store.append("s", batch, expected: .noStream, metadata: testMetadata)
        #expect(retry.positions == first.positions)
        #expect(retry.streamVersion == 2)
        #expect(retry.wasAlreadyStored)
        #expect(!first.wasAlreadyStored)
        #expect(try store.head().position == 3)
    }

    @Test("the same event id with other content, or a partly stored batch, is a conflict")
    func idempotencyConflicts() async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir.path)
        let id = UUID()
        try await store.append("s", [event("A", "original", id: id)], expected: .any, metadata: testMetadata)
        await #expect(throws: EventStoreError.eventIdConflict(id: id, storedAt: 1)) {
            try await store.append("s", [event("A", "changed", id: id)], expected: .any, metadata: testMetadata)
        }
        await #expect(throws: EventStoreError.eventIdConflict(id: id, storedAt: 1)) {
            try await store.append("other-stream", [event("A", "original", id: id)], expected: .any, metadata: testMetadata)
        }
        await #expect(throws: EventStoreError.eventIdConflict(id: id, storedAt: 1)) {
            try await store.append("s", [event("A", "original", id: id), event("B")], expected: .any, metadata: testMetadata)
        }
        #expect(try store.head().position == 1)
    }

    @Test("malformed appends are refused before anything is written", arguments: [
        [StreamAppend(stream: "", expected: .any, events: [event()])],
        [StreamAppend(stream: String(repeating: "s", count: 401), expected: .any, events: [event()])],
        [StreamAppend(stream: "s", expected: .any, events: [])],
        [StreamAppend(stream: "s", expected: .any, events: [ProposedEvent(type: "", data: [])])],
        [],
    ])
    func invalidAppends(batch: [StreamAppend]) async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir.path)
        await #expect {
            try await store.append(batch, metadata: testMetadata)
        } throws: { error in
            if case EventStoreError.invalidAppend = error { return true } else { return false }
        }
        #expect(try store.head().position == 0)
    }

    @Test("the same id twice in one append is refused")
    func duplicateIdsInOneAppend() async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir.path)
        let id = UUID()
        await #expect(throws: EventStoreError.invalidAppend("event id \(id) appears twice in one append")) {
            try await store.append("s", [event(id: id), event(id: id)], expected: .any, metadata: testMetadata)
        }
    }

    @Test("appends after close are refused with .closed")
    func closed() async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir.path)
        store.close()
        await #expect(throws: EventStoreError.closed) {
            try await store.append("s", [event()], expected: .any, metadata: testMetadata)
        }
    }

    @Test("data survives closing and reopening the store")
    func reopen() async throws {
        let dir = TemporaryDirectory()
        do {
            let store = try openStore(dir.path)
            try await store.append("s", [event(), event()], expected: .noStream, metadata: testMetadata)
            store.close()
        }
        let store = try openStore(dir.path)
        #expect(try store.head().position == 2)
        let result = try await store.append("s", [event()], expected: .exact(2), metadata: testMetadata)
        #expect(result.positions == [3])
        #expect(try store.verify().isIntact)
    }
}

@Suite("Appending with per-stream metadata")
struct PerStreamMetadataTests {
    @Test("each part of a batch can carry its own actor and source, committed atomically")
    func perPartMetadata() async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir.path)
        let bob = AppendMetadata(actor: Actor(id: "bob", role: "agent"), source: Source(clientAddress: "203.0.113.9", userAgent: "cti", host: "pbx"))
        try await store.append([
            StreamAppend(stream: "s", expected: .noStream, events: [event()]),
            StreamAppend(stream: "s", expected: .exact(1), events: [event()], metadata: bob),
        ], metadata: testMetadata)
        let events = try store.readStream("s")
        #expect(events.map(\.actor.id) == ["alice", "bob"])
        #expect(events[1].source.host == "pbx")
        #expect(try store.read(actor: "bob").map(\.position) == [2])
        await #expect(throws: EventStoreError.invalidAppend("actor id is empty")) {
            try await store.append([StreamAppend(stream: "s", expected: .any, events: [event()],
                                                 metadata: AppendMetadata(actor: Actor(id: "", role: "x"), source: .local()))], metadata: testMetadata)
        }
    }
}
