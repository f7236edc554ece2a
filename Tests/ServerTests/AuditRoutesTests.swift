import EventStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Projections
@testable import Server
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

    /// Each filter alone and combined, answered by scanning the log (no read models) and by the
    /// audit index (which must give the same pages).
    @Test(arguments: [false, true])
    func filtersAloneAndCombined(indexed: Bool) async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, directory in
            try await seed(store, clock: clock)
            clock.set(may1st + 5 * day)
            try await appendAuditEvents(store, stream: "customer-2", type: "ContactAdded", count: 1, actor: "bob", clientAddress: "192.0.2.99")
            let engine = indexed ? try ProjectionEngine(store: store, projectors: [AuditIndexProjector()], directory: directory + "/projections") : nil
            try engine?.catchUp()
            try await withAuditRoleAPI(store, projections: engine) { client, roles in
                let cases: [(String, [UInt64], Int?)] = [
                    ("stream=customer-1", [1, 2, 4], nil),
                    ("type=CustomerRegistered", [1, 3], nil),
                    ("clientAddress=192.0.2.99", [6], nil),
                    ("clientAddress=203.0.113.7", [1, 2, 3, 4, 5], nil),
                    ("actor=bob&stream=customer-2", [3, 6], nil),
                    ("actor=bob&type=ContactAdded&clientAddress=192.0.2.99", [6], nil),
                    ("stream=customer-1&since=2024-05-02&until=2024-05-04T12:00:00Z", [2, 4], nil),
                    ("type=CustomerRegistered&since=2024-05-02", [3], nil),
                    // A full page's cursor: the next match (from the index) or the position after
                    // the page (from a scan); either continues to the same events.
                    ("stream=customer-1&limit=2", [1, 2], indexed ? 4 : 3),
                    ("stream=customer-1&limit=2&from=4", [4], nil),
                    ("actor=bob&clientAddress=203.0.113.7", [3, 4], nil),
                    ("stream=case-1&type=CustomerRegistered", [], nil),
                    ("stream=nothing", [], nil),
                ]
                for (query, expected, next) in cases {
                    let response = try await client.execute(uri: "/v1/audit/events?\(query)", method: .get, headers: auditBearer(roles.auditor))
                    #expect(response.status == .ok, "\(query)")
                    #expect(response.logPosition == "6", "\(query)")
                    #expect(response.events.positions == expected, "\(query)")
                    #expect((response.object["next"] as? Int) == next, "\(query)")
                }
                let echoed = try await client.execute(uri: "/v1/audit/events?stream=customer-1&type=X&clientAddress=1.2.3.4", method: .get,
                                                      headers: auditBearer(roles.auditor)).object
                #expect(echoed["stream"] as? String == "customer-1")
                #expect(echoed["type"] as? String == "X")
                #expect(echoed["clientAddress"] as? String == "1.2.3.4")
                #expect(echoed["actor"] is NSNull)
            }
        }
    }

    /// The index trails the log: events appended after its checkpoint are found in the log, so
    /// an answer is complete up to the head it names.
    @Test func answersAreCompleteBeyondTheIndex() async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, directory in
            try await seed(store, clock: clock)
            let engine = try ProjectionEngine(store: store, projectors: [AuditIndexProjector()], directory: directory + "/projections")
            try engine.catchUp()
            try await appendAuditEvents(store, stream: "customer-1", count: 3, actor: "bob")
            #expect(try engine.read("audit") { $0.position } == 5)
            try await withAuditRoleAPI(store, projections: engine) { client, roles in
                let response = try await client.execute(uri: "/v1/audit/events?actor=bob&stream=customer-1", method: .get,
                                                        headers: auditBearer(roles.auditor))
                #expect(response.logPosition == "8")
                #expect(response.events.positions == [4, 6, 7, 8])
                let paged = try await client.execute(uri: "/v1/audit/events?actor=bob&stream=customer-1&limit=1&from=5", method: .get,
                                                     headers: auditBearer(roles.auditor))
                #expect(paged.events.positions == [6])
                #expect(paged.object["next"] as? Int == 7)
            }
        }
    }

    /// The audit trail crosses every team's records: managers and agents are refused.
    @Test func onlyAuditReadersMayQuery() async throws {
        try await withStore { store, _ in
            try await withAuditRoleAPI(store) { client, roles in
                for uri in ["/v1/audit/events", "/v1/audit/access", "/v1/audit/verify"] {
                    for token in [roles.manager, roles.agent, roles.integratorWithoutScopes] {
                        let response = try await client.execute(uri: uri, method: .get, headers: auditBearer(token))
                        let problem = try expectProblem(response, status: .forbidden, code: "forbidden")
                        #expect(problem["permission"] as? String == "audit.read", "\(uri)")
                    }
                    for token in [roles.admin, roles.auditor, roles.integrator] {
                        #expect(try await client.execute(uri: uri, method: .get, headers: auditBearer(token)).status == .ok, "\(uri)")
                    }
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
                    #expect(report["lastSignedCheckpointVerified"] as? Bool == true)
                    #expect((report["durationMs"] as? Int ?? -1) >= 0)
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
                    #expect(report["lastSignedCheckpointVerified"] is NSNull)
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
