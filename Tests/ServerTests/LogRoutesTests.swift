import EventStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// `/health`, `/v1/log/head`, `/v1/events`, `/v1/events/{position}`.
struct LogRoutesTests {
    @Test func healthIsLiveAndCarriesTheHead() async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, _ in
            try await seed(store, clock: clock)
            try await testAPI(store) { client in
                try await client.execute(uri: "/health", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.logPosition == "5")
                    #expect(response.object["status"] as? String == "live")
                }
            }
        }
    }

    @Test func headOfAnEmptyLog() async throws {
        try await withStore { store, _ in
            try await testAPI(store) { client in
                try await client.execute(uri: "/v1/log/head", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.logPosition == "0")
                    #expect(response.text == #"{"hash":"\#(String(repeating: "0", count: 64))","position":0,"recordedAt":null,"recordedAtMs":null}"#)
                }
            }
        }
    }

    @Test func headAfterAppends() async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, _ in
            try await seed(store, clock: clock)
            let head = try store.head()
            try await testAPI(store) { client in
                try await client.execute(uri: "/v1/log/head", method: .get) { response in
                    let body = response.object
                    #expect(response.logPosition == "5")
                    #expect(body["position"] as? Int == 5)
                    #expect(body["hash"] as? String == head.hash.description)
                    #expect(body["recordedAt"] as? String == "2024-05-05T09:30:00.000Z")
                    #expect((body["recordedAtMs"] as? NSNumber)?.int64Value == may1st + 4 * day)
                }
            }
        }
    }

    @Test func pagesThroughTheLog() async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, _ in
            try await seed(store, clock: clock)
            try await testAPI(store) { client in
                try await client.execute(uri: "/v1/events", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == "application/json")
                    #expect(response.logPosition == "5")
                    #expect(response.events.positions == [1, 2, 3, 4, 5])
                    #expect(response.object["next"] as? Int == 6)
                }
                try await client.execute(uri: "/v1/events?from=2&limit=2", method: .get) { response in
                    #expect(response.events.positions == [2, 3])
                    #expect(response.object["next"] as? Int == 4)
                }
                try await client.execute(uri: "/v1/events?from=4&limit=1000", method: .get) { response in
                    #expect(response.events.positions == [4, 5])
                    #expect(response.object["next"] as? Int == 6)
                }
                try await client.execute(uri: "/v1/events?from=9", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.events.isEmpty)
                    #expect(response.object["next"] as? Int == 9)
                }
            }
        }
    }

    @Test func filtersByType() async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, _ in
            try await seed(store, clock: clock)
            try await testAPI(store) { client in
                try await client.execute(uri: "/v1/events?types=CustomerRegistered", method: .get) { response in
                    #expect(response.events.positions == [1, 3])
                    #expect(response.object["next"] as? Int == 6)
                }
                try await client.execute(uri: "/v1/events?types=CaseOpened,ContactAdded&limit=1", method: .get) { response in
                    #expect(response.events.positions == [2])
                    #expect(response.object["next"] as? Int == 3)
                }
                try await client.execute(uri: "/v1/events?types=NoSuchType", method: .get) { response in
                    #expect(response.events.isEmpty)
                }
            }
        }
    }

    @Test func oneEventByPosition() async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, _ in
            try await seed(store, clock: clock)
            let stored = try #require(try store.event(at: 4))
            try await testAPI(store) { client in
                try await client.execute(uri: "/v1/events/4", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.logPosition == "5")
                    #expect(response.text == String(decoding: stored.json, as: UTF8.self))
                    let event = response.object
                    #expect(event["type"] as? String == "InteractionLogged")
                    #expect(event["stream"] as? String == "customer-1")
                    #expect(event["streamVersion"] as? Int == 3)
                    #expect(event["reason"] as? String == "quarterly \"review\"\ncall")
                    #expect((event["actor"] as? [String: String]) == ["id": "bob", "role": "manager"])
                    let data = try #require(event["data"] as? [String: Any])
                    #expect(data["n"] as? Int == 4)
                    #expect(event["hash"] as? String == stored.hash.description)
                }
                try await client.execute(uri: "/v1/events/6", method: .get) { response in
                    _ = try expectProblem(response, status: .notFound, code: "not-found")
                    #expect(response.logPosition == "5")
                }
            }
        }
    }
}
