import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
@testable import Server
import Testing

/// `StreamLanes`: commands on one stream one after the other, on different streams side by side;
/// over HTTP, concurrent commands on one customer all land, none refused for a conflict.
@Suite("Stream lanes")
struct StreamLanesTests {
    /// Who is inside a lane's body, shared by the test's tasks.
    final class Occupancy: Sendable {
        let state = Mutex((inside: 0, overlaps: 0, finished: 0))
    }

    @Test func oneStreamOneAtATime() async throws {
        let lanes = StreamLanes()
        let occupancy = Occupancy()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    try await lanes.run("customer-c1") {
                        occupancy.state.withLock { state in
                            state.inside += 1
                            if state.inside > 1 { state.overlaps += 1 }
                        }
                        for _ in 0..<3 { await Task.yield() }
                        occupancy.state.withLock { state in
                            state.inside -= 1
                            state.finished += 1
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let state = occupancy.state.withLock { $0 }
        #expect(state.overlaps == 0)
        #expect(state.finished == 50)
        #expect(lanes.busyCount == 0, "a lane exists only while held")
    }

    @Test func otherStreamsAreNotHeldUp() async throws {
        let lanes = StreamLanes()
        let (held, release) = AsyncStream<Void>.makeStream()
        let holder = Task {
            try await lanes.run("customer-a") { for await _ in held { break } }
        }
        // customer-a's lane is held until released; customer-b's command runs meanwhile.
        let ran = try await lanes.run("customer-b") { true }
        #expect(ran)
        release.yield()
        release.finish()
        try await holder.value
        // A body that throws frees the lane too.
        await #expect(throws: CancellationError.self) { try await lanes.run("customer-a") { throw CancellationError() } }
        #expect(try await lanes.run("customer-a") { 1 } == 1)
        #expect(lanes.busyCount == 0)
    }

    @Test func concurrentCommandsOnOneCustomerAllLand() async throws {
        try await CommandAPI.run { api in
            try await api.register("c1", manager: "mgr-01")
            let before = api.head
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        try await api.send(.post, "/v1/customers/c1/interactions",
                                           #"{"interactionId":"lane-\#(index)","channel":"call","direction":"outbound","outcome":"reached"}"#).status
                    }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .ok }, "\(statuses.filter { $0 != .ok })")
            #expect(api.head == before + 40)
            let versions = try api.store.readStream("customer-c1").map(\.streamVersion)
            #expect(versions == Array(1...UInt64(versions.count)))
        }
    }

    @Test func equalAccessEventsShareTheirEncodedData() throws {
        let memo = AccessEventData(capacity: 2)
        let access = DataAccessed(route: "GET /v1/customers/{id}", subject: "customer:c1", subjects: ["customer:c1"], fields: ["name"])
        let first = try memo.event(for: access)
        let second = try memo.event(for: access)
        let fresh = try ProposedEvent(type: DataAccessed.eventType, schemaVersion: DataAccessed.schemaVersion, encoding: access)
        #expect(first.data == fresh.data && second.data == fresh.data)
        #expect(first.id != second.id, "one event per request")
        #expect(second.type == DataAccessed.eventType && second.schemaVersion == DataAccessed.schemaVersion)
        var other = access
        other.purpose = "review"
        #expect(try memo.event(for: other).data != fresh.data)
        _ = try memo.event(for: DataAccessed(route: "GET /v1/customers"))
        #expect(memo.count <= 2)
    }
}
