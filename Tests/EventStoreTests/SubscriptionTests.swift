import Foundation
import Testing
@testable import EventStore

@Suite("Subscriptions")
struct SubscriptionTests {
    @Test("catch-up then live under concurrent appends: every event once, in order")
    func catchUpThenLive() async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir.path)
        for n in 0..<300 {
            try await store.append("before-\(n % 5)", [event()], expected: .any, metadata: testMetadata)
        }
        let total: UInt64 = 300 + 8 * 200
        async let received: [UInt64] = {
            var positions: [UInt64] = []
            for try await recorded in store.subscribe(from: 1, pageSize: 64) {
                positions.append(recorded.position)
                if recorded.position == total { break }
            }
            return positions
        }()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for _ in 0..<200 {
                        try await store.append("live-\(writer)", [event()], expected: .any, metadata: testMetadata)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await received == Array(1...total))
    }

    @Test("a subscription from a later position starts there; a type filter skips others")
    func fromPositionAndTypes() async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir.path)
        for n in 0..<20 {
            try await store.append("s", [event(n % 4 == 0 ? "Wanted" : "Other")], expected: .any, metadata: testMetadata)
        }
        var fromTen: [UInt64] = []
        for try await recorded in store.subscribe(from: 10) {
            fromTen.append(recorded.position)
            if recorded.position == 20 { break }
        }
        #expect(fromTen == Array(10...20))
        var wanted: [UInt64] = []
        for try await recorded in store.subscribe(from: 1, types: ["Wanted"], pageSize: 2) {
            wanted.append(recorded.position)
            if recorded.position == 17 { break }
        }
        #expect(wanted == [1, 5, 9, 13, 17])
    }

    @Test("cancelling a waiting subscriber ends it and holds no reader slot")
    func cancellation() async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir.path)
        try await store.append("s", [event()], expected: .any, metadata: testMetadata)
        let task = Task {
            var count = 0
            for try await _ in store.subscribe(from: 1) { count += 1 }
            return count
        }
        try await Task.sleep(for: .milliseconds(200))
        // Waiting for position 2: no read transaction may be open meanwhile.
        #expect(try store.statistics().readersInUse <= 1)
        task.cancel()
        #expect(try await task.value == 1)
    }

    @Test("closing the store ends live subscriptions")
    func closeEnds() async throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir.path)
        let task = Task {
            var count = 0
            for try await _ in store.subscribe(from: 1) { count += 1 }
            return count
        }
        try await store.append("s", [event()], expected: .any, metadata: testMetadata)
        try await Task.sleep(for: .milliseconds(100))
        store.close()
        #expect(try await task.value == 1)
    }
}
