import EventStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Errors are problem+json with stable codes, and every answer says which head it reflects.
struct ProblemTests {
    @Test(arguments: [
        ("/v1/events?from=abc", "from"), ("/v1/events?from=-1", "from"), ("/v1/events?from=", "from"),
        ("/v1/events?from=1.5", "from"), ("/v1/events?from=99999999999999999999999", "from"),
        ("/v1/events?limit=0", "limit"), ("/v1/events?limit=1001", "limit"), ("/v1/events?limit=ten", "limit"),
        ("/v1/events?limit=-5", "limit"), ("/v1/events?types=", "types"), ("/v1/events?types=A,,B", "types"),
        ("/v1/events/abc", "position"), ("/v1/events/0", "position"), ("/v1/events/-3", "position"),
        ("/v1/streams/customer-1/events?limit=5000", "limit"), ("/v1/streams/customer-1/events?direction=", "direction"),
        ("/v1/streams/%E2%82/events", "stream"), ("/v1/audit/events?from=x", "from"), ("/v1/audit/events?limit=0", "limit"),
    ])
    func badParametersAre400(uri: String, parameter: String) async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, _ in
            try await seed(store, clock: clock)
            try await testAPI(store) { client in
                try await client.execute(uri: uri, method: .get) { response in
                    let problem = try expectProblem(response, status: .badRequest, code: "invalid-parameter")
                    #expect(problem["parameter"] as? String == parameter)
                    #expect(response.logPosition == "5")
                }
            }
        }
    }

    @Test(arguments: ["/", "/v1", "/v1/nothing", "/v1/events/1/extra", "/health/deep"])
    func unknownRoutesAre404(uri: String) async throws {
        try await withStore { store, _ in
            try await testAPI(store) { client in
                try await client.execute(uri: uri, method: .get) { response in
                    let problem = try expectProblem(response, status: .notFound, code: "unknown-route")
                    #expect(problem["instance"] as? String == uri)
                    #expect(response.logPosition == "0")
                }
            }
        }
    }

    @Test func otherMethodsAre405() async throws {
        try await withStore { store, _ in
            try await testAPI(store) { client in
                try await client.execute(uri: "/v1/events", method: .post) { response in
                    _ = try expectProblem(response, status: .methodNotAllowed, code: "method-not-allowed")
                }
            }
        }
    }

    @Test(arguments: [
        "/health", "/v1/log/head", "/v1/events", "/v1/events/2", "/v1/streams/customer-1", "/v1/streams/customer-1/events",
        "/v1/audit/events?actor=alice", "/v1/audit/verify", "/v1/stats",
    ])
    func everyRouteAnswersWithTheLogPosition(uri: String) async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, _ in
            try await seed(store, clock: clock)
            try await testAPI(store) { client in
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == "application/json")
                    #expect(response.logPosition == "5")
                }
            }
        }
    }
}
