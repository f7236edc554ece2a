import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Projections
import Server
import Testing

@Suite("Projection routes")
struct ProjectionRoutesTests {
    static let metadata = AppendMetadata(actor: Actor(id: "mia", role: "manager"),
                                         source: Source(clientAddress: "192.0.2.10", userAgent: "tests", host: "test"))

    @Test("status, rebuild, customer 360 with read-your-writes, as-of answers and their errors")
    func routes() async throws {
        try await withStore { store, directory in
            let handler = CommandHandler(store: store)
            let now = Date(timeIntervalSince1970: 1_767_225_600)
            let registered = try await CustomerService(handler: handler).register(
                RegisterCustomer(customerId: "C1", kind: .person, name: "Ana Ruiz", email: "ana@ruiz.example", channel: .webForm),
                context: DecisionContext(now: now), metadata: Self.metadata)
            let renamed = try await handler.execute(ChangeCustomerProfile(customerId: "C1", fields: ["name": "Ana Ruiz Gómez"]),
                                                    context: DecisionContext(now: now.addingTimeInterval(60)), metadata: Self.metadata)
            let engine = try ProjectionEngine(store: store, projectors: StandardProjectors.all, directory: directory + "/projections")
            let running = Task { await engine.run() }
            defer { running.cancel() }
            let tokens = try testTokens(store)
            let admin = try tokens.create(user: "test-admin", role: .admin).bearer
            let app = buildApplication(store: store, tokens: tokens, projections: engine, logger: quietLogger)
            try await app.test(.router) { client in
                let client = AuthorizedClient(base: client, bearer: admin)
                // Read-your-writes: wait for the position the command returned.
                let position = try #require(renamed.positions.last)
                try await client.execute(uri: "/v1/customers/C1?minPosition=\(position)", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(UInt64(response.logPosition ?? "") ?? 0 >= position)
                    #expect(String(buffer: response.body).contains("\"name\":\"Ana Ruiz Gómez\""))
                }
                // As of the registration, the old name.
                let first = try #require(registered.positions.last)
                try await client.execute(uri: "/v1/customers/C1?asOf=\(first)", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.logPosition == String(first))
                    #expect(String(buffer: response.body).contains("\"name\":\"Ana Ruiz\""))
                }
                try await client.execute(uri: "/v1/customers/C1?asOf=\(position + 100)", method: .get) { response in
                    try expectProblem(response, status: .badRequest, code: "invalid-parameter")
                }
                try await client.execute(uri: "/v1/customers/C1?minPosition=\(position + 100)", method: .get) { response in
                    try expectProblem(response, status: .badRequest, code: "invalid-parameter")
                }
                try await client.execute(uri: "/v1/customers/C1?minPosition=abc", method: .get) { response in
                    try expectProblem(response, status: .badRequest, code: "invalid-parameter")
                }
                try await client.execute(uri: "/v1/customers/nobody", method: .get) { response in
                    try expectProblem(response, status: .notFound, code: "not-found")
                }
                try await client.execute(uri: "/v1/projections", method: .get) { response in
                    #expect(response.status == .ok)
                    let body = String(buffer: response.body)
                    for name in engine.names { #expect(body.contains("\"name\":\"\(name)\"")) }
                }
                try await client.execute(uri: "/v1/projections/nope", method: .get) { response in
                    try expectProblem(response, status: .notFound, code: "not-found")
                }
                try await client.execute(uri: "/v1/projections/customer360/rebuild", method: .post) { response in
                    #expect(response.status == .accepted)
                }
            }
            // The rebuild swaps in and reproduces the read model.
            for _ in 0..<1500 where try engine.status(of: "customer360").lastRebuild == nil {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try engine.status(of: "customer360").lastRebuild?.checksumsMatch == true)
        }
    }
}
