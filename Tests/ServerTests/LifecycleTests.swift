import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Server
import Testing

/// The application over a real socket, and the store's life inside it.
struct LifecycleTests {
    @Test func servesOverASocket() async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, _ in
            try await seed(store, clock: clock)
            let tokens = try testTokens(store)
            let admin = try tokens.create(user: "test-admin", role: .admin).bearer
            let app = buildApplication(store: store, tokens: tokens, configuration: ServerConfiguration(port: 0), logger: quietLogger)
            try await app.test(.live) { client in
                let client = AuthorizedClient(base: client, bearer: admin)
                try await client.execute(uri: "/v1/streams/customer-1/events?limit=1", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.logPosition == "5")
                    #expect(response.headers[.server] == "crm")
                    #expect(response.events.streamVersions == [1])
                }
                try await client.execute(uri: "/missing", method: .get) { response in
                    _ = try expectProblem(response, status: .notFound, code: "unknown-route")
                }
            }
        }
    }

    @Test func theStoreClosesAfterTheServerStops() async throws {
        try await withStore { store, _ in
            let metadata = AppendMetadata(actor: Actor(id: "alice", role: "admin"), source: .local())
            try await testAPI(store) { client in
                // While the application runs the store takes appends.
                try await store.append("s", [ProposedEvent(type: "T", data: Array("{}".utf8))], expected: .any, metadata: metadata)
                try await client.execute(uri: "/health", method: .get) { response in
                    #expect(response.logPosition == "1")
                }
            }
            // Graceful shutdown closed it.
            await #expect(throws: EventStoreError.closed) {
                try await store.append("s", [ProposedEvent(type: "T", data: Array("{}".utf8))], expected: .any, metadata: metadata)
            }
        }
    }
}
