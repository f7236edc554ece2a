import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Projections
import Server
import Testing

/// Defects the API fuzz drill (`scripts/drills/fuzz-api.sh`, schemathesis) found, one test each,
/// written to fail before the fix: every one was a 5xx answer to a request the caller got wrong.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    static let metadata = AppendMetadata(actor: Actor(id: "mia", role: "manager"),
                                         source: Source(clientAddress: "192.0.2.10", userAgent: "tests", host: "test"))

    /// One customer in a fresh store, its read models running, and the API over it as an admin.
    func withCustomer(_ test: @Sendable (any TestClientProtocol, EventStore) async throws -> Void) async throws {
        try await withStore { store, directory in
            let handler = CommandHandler(store: store)
            _ = try await CustomerService(handler: handler).register(
                RegisterCustomer(customerId: "C1", kind: .person, name: "Ana Ruiz", email: "ana@ruiz.example", channel: .webForm),
                context: DecisionContext(now: Date(timeIntervalSince1970: 1_767_225_600)), metadata: Self.metadata)
            let engine = try ProjectionEngine(store: store, projectors: StandardProjectors.all, directory: directory + "/projections")
            let running = Task { await engine.run() }
            defer { running.cancel() }
            let tokens = try testTokens(store)
            let admin = try tokens.create(user: "test-admin", role: .admin).bearer
            let app = buildApplication(store: store, tokens: tokens, projections: engine, logger: quietLogger)
            try await app.test(.router) { client in
                try await test(AuthorizedClient(base: client, bearer: admin), store)
            }
        }
    }

    /// Found as `GET /v1/customers/{id}/state?minPosition=2589708` → 503 after a 2-second wait.
    /// No answer of this server can name a position beyond the log head (the head moves before a
    /// write is answered), so waiting for one is the caller's mistake: 400, at once, like `asOf`.
    @Test("minPosition beyond the log head is a 400 invalid-parameter, not a 503 after a wait")
    func minPositionBeyondHead() async throws {
        try await withCustomer { client, store in
            let head = store.headWatch.head
            for uri in ["/v1/customers/C1/state?minPosition=\(head + 2_589_708)", "/v1/customers/C1?minPosition=\(head + 1)",
                        "/v1/pipeline?minPosition=\(UInt64.max)"] {
                // The status alone tells: the old path answered 503 only after its bounded wait.
                try await client.execute(uri: uri, method: .get) { response in
                    let problem = try expectProblem(response, status: .badRequest, code: "invalid-parameter")
                    #expect((problem["detail"] as? String)?.contains("beyond the log head \(head)") == true, "\(uri)")
                }
            }
            // The head itself is reachable: read-your-writes still answers 200.
            try await client.execute(uri: "/v1/customers/C1?minPosition=\(head)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(UInt64(response.logPosition ?? "") ?? 0 >= head)
            }
        }
    }
}
