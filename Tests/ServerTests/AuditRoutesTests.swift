import EventStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// `/v1/audit/events` and `/v1/audit/verify`.
struct AuditRoutesTests {
    @Test func eventsByActor() async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, _ in
            try await seed(store, clock: clock)
            try await testAPI(store) { client in
                try await client.execute(uri: "/v1/audit/events?actor=bob", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.logPosition == "5")
                    #expect(response.object["actor"] as? String == "bob")
                    #expect(response.events.positions == [3, 4])
                    #expect(response.object["next"] is NSNull)
                }
                try await client.execute(uri: "/v1/audit/events?actor=bob&limit=1", method: .get) { response in
                    #expect(response.events.positions == [3])
                    #expect(response.object["next"] as? Int == 4)
                }
                try await client.execute(uri: "/v1/audit/events?actor=bob&from=4", method: .get) { response in
                    #expect(response.events.positions == [4])
                }
                try await client.execute(uri: "/v1/audit/events?actor=nobody", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.events.isEmpty)
                }
            }
        }
    }

    @Test func eventsInATimeWindow() async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, _ in
            try await seed(store, clock: clock)
            try await testAPI(store) { client in
                // [May 2 00:00, May 4 09:30) holds events 2 and 3; the end is exclusive.
                try await client.execute(uri: "/v1/audit/events?since=2024-05-02&until=2024-05-04T09:30:00Z", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.events.positions == [2, 3])
                    #expect(response.object["since"] as? String == "2024-05-02T00:00:00.000Z")
                    #expect(response.object["until"] as? String == "2024-05-04T09:30:00.000Z")
                    #expect(response.object["next"] is NSNull)
                }
                // The same instant with an offset.
                try await client.execute(uri: "/v1/audit/events?since=2024-05-04T11:30:00%2B02:00", method: .get) { response in
                    #expect(response.events.positions == [4, 5])
                }
                try await client.execute(uri: "/v1/audit/events?since=2024-05-03&limit=1", method: .get) { response in
                    #expect(response.events.positions == [3])
                    #expect(response.object["next"] as? Int == 4)
                }
                try await client.execute(uri: "/v1/audit/events?actor=bob&until=2024-05-04", method: .get) { response in
                    #expect(response.events.positions == [3])
                }
                try await client.execute(uri: "/v1/audit/events?since=2025-01-01", method: .get) { response in
                    #expect(response.events.isEmpty)
                }
            }
        }
    }

    @Test(arguments: [
        ("since=yesterday", "since"), ("until=2024-13-01", "until"), ("since=2024-02-30", "since"),
        ("since=2024-05-01T10:00", "since"), ("since=2024-05-02&until=2024-05-01", "until"),
        ("since=2024-05-02&until=2024-05-02", "until"), ("actor=", "actor"),
    ])
    func badWindowsAreRejected(query: String, parameter: String) async throws {
        try await withStore { store, _ in
            try await testAPI(store) { client in
                try await client.execute(uri: "/v1/audit/events?\(query)", method: .get) { response in
                    let problem = try expectProblem(response, status: .badRequest, code: "invalid-parameter")
                    #expect(problem["parameter"] as? String == parameter)
                }
            }
        }
    }

    @Test func verifyReportsAnIntactLogAndItsLastCheckpoint() async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock, key: HMACKey.generate()) { store, _ in
            try await seed(store, clock: clock)
            let checkpoint = try await store.signCheckpoint()
            try await testAPI(store) { client in
                try await client.execute(uri: "/v1/audit/verify", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.logPosition == "5")
                    let report = response.object
                    #expect(report["intact"] as? Bool == true)
                    #expect(report["firstBadPosition"] is NSNull)
                    #expect(report["problem"] is NSNull)
                    #expect(report["checkedEvents"] as? Int == 5)
                    #expect(report["from"] as? Int == 1)
                    #expect(report["to"] as? Int == 5)
                    #expect(report["checkpointsVerified"] as? Int == 1)
                    #expect(report["checkpointsAuthenticated"] as? Bool == true)
                    let last = try #require(report["lastSignedCheckpoint"] as? [String: Any])
                    #expect(last["position"] as? Int == 5)
                    #expect(last["hash"] as? String == checkpoint.hash.description)
                    #expect(last["signedAt"] as? String == "2024-05-05T09:30:00.000Z")
                    let verified = try #require(report["lastVerifiedCheckpoint"] as? [String: Any])
                    #expect(verified["position"] as? Int == 5)
                }
            }
        }
    }

    @Test func verifyWithoutKeyOrEvents() async throws {
        try await withStore { store, _ in
            try await testAPI(store) { client in
                try await client.execute(uri: "/v1/audit/verify", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.logPosition == "0")
                    let report = response.object
                    #expect(report["intact"] as? Bool == true)
                    #expect(report["checkedEvents"] as? Int == 0)
                    #expect(report["checkpointsAuthenticated"] as? Bool == false)
                    #expect(report["lastSignedCheckpoint"] is NSNull)
                }
            }
        }
    }
}

/// `/v1/stats`.
struct StatsRoutesTests {
    @Test func statistics() async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, _ in
            try await seed(store, clock: clock)
            try await testAPI(store) { client in
                try await client.execute(uri: "/v1/stats", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.logPosition == "5")
                    let stats = try JSONDecoder().decode(StoreStatistics.self, from: Data(response.body.readableBytesView))
                    #expect(stats.headPosition == 5)
                    #expect(stats.events == 5)
                    #expect(stats.streams == 3)
                    #expect(stats.actors == 3)
                    #expect(stats.usedBytes > 0)
                }
            }
        }
    }
}
