import EventStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// `/v1/streams/{stream}` and `/v1/streams/{stream}/events`.
struct StreamRoutesTests {
    @Test func currentVersion() async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, _ in
            try await seed(store, clock: clock)
            try await testAPI(store) { client in
                try await client.execute(uri: "/v1/streams/customer-1", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.logPosition == "5")
                    let body = response.object
                    #expect(body["stream"] as? String == "customer-1")
                    #expect(body["version"] as? Int == 3)
                    #expect(body["lastPosition"] as? Int == 4)
                    #expect(body["lastType"] as? String == "InteractionLogged")
                    #expect(body["lastRecordedAt"] as? String == "2024-05-04T09:30:00.000Z")
                }
                try await client.execute(uri: "/v1/streams/customer-9", method: .get) { response in
                    _ = try expectProblem(response, status: .notFound, code: "not-found")
                }
            }
        }
    }

    @Test func readsForward() async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, _ in
            try await seed(store, clock: clock)
            try await testAPI(store) { client in
                try await client.execute(uri: "/v1/streams/customer-1/events", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.logPosition == "5")
                    let body = response.object
                    #expect(body["stream"] as? String == "customer-1")
                    #expect(body["version"] as? Int == 3)
                    #expect(body["direction"] as? String == "forward")
                    #expect(response.events.streamVersions == [1, 2, 3])
                    #expect(response.events.positions == [1, 2, 4])
                    #expect(body["next"] is NSNull)
                }
                try await client.execute(uri: "/v1/streams/customer-1/events?limit=2", method: .get) { response in
                    #expect(response.events.streamVersions == [1, 2])
                    #expect(response.object["next"] as? Int == 3)
                }
                try await client.execute(uri: "/v1/streams/customer-1/events?from=3&direction=forward", method: .get) { response in
                    #expect(response.events.streamVersions == [3])
                    #expect(response.object["next"] is NSNull)
                }
                try await client.execute(uri: "/v1/streams/customer-1/events?from=7", method: .get) { response in
                    #expect(response.events.isEmpty)
                }
            }
        }
    }

    @Test func readsBackward() async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, _ in
            try await seed(store, clock: clock)
            try await testAPI(store) { client in
                try await client.execute(uri: "/v1/streams/customer-1/events?direction=backward&limit=2", method: .get) { response in
                    #expect(response.object["direction"] as? String == "backward")
                    #expect(response.events.streamVersions == [3, 2])
                    #expect(response.object["next"] as? Int == 1)
                }
                try await client.execute(uri: "/v1/streams/customer-1/events?direction=backward&from=1", method: .get) { response in
                    #expect(response.events.streamVersions == [1])
                    #expect(response.object["next"] is NSNull)
                }
                try await client.execute(uri: "/v1/streams/customer-1/events?direction=backward&from=99", method: .get) { response in
                    #expect(response.events.streamVersions == [3, 2, 1])
                }
            }
        }
    }

    @Test func unknownStreamAndBadParameters() async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, _ in
            try await seed(store, clock: clock)
            try await testAPI(store) { client in
                try await client.execute(uri: "/v1/streams/nobody/events", method: .get) { response in
                    _ = try expectProblem(response, status: .notFound, code: "not-found")
                }
                try await client.execute(uri: "/v1/streams/customer-1/events?direction=sideways", method: .get) { response in
                    let problem = try expectProblem(response, status: .badRequest, code: "invalid-parameter")
                    #expect(problem["parameter"] as? String == "direction")
                }
                try await client.execute(uri: "/v1/streams/customer-1/events?from=first", method: .get) { response in
                    _ = try expectProblem(response, status: .badRequest, code: "invalid-parameter")
                }
                let long = String(repeating: "x", count: 600)
                try await client.execute(uri: "/v1/streams/\(long)", method: .get) { response in
                    let problem = try expectProblem(response, status: .badRequest, code: "invalid-parameter")
                    #expect(problem["parameter"] as? String == "stream")
                }
            }
        }
    }

    @Test func percentEncodedStreamNames() async throws {
        try await withStore { store, _ in
            try await store.append("tenant/a b", [ProposedEvent(type: "Created", data: Array("{}".utf8))], expected: .noStream,
                                   metadata: AppendMetadata(actor: Actor(id: "alice", role: "admin"), source: .local()))
            try await testAPI(store) { client in
                try await client.execute(uri: "/v1/streams/tenant%2Fa%20b", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.object["stream"] as? String == "tenant/a b")
                }
                try await client.execute(uri: "/v1/streams/tenant%2Fa%20b/events", method: .get) { response in
                    #expect(response.events.count == 1)
                }
            }
        }
    }
}
