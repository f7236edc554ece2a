import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
@testable import Server
import Testing

/// Request body size and concurrency limits.
@Suite("Limits")
struct LimitsTests {
    @Test func aDeclaredBodyOverTheLimitIs413BeforeAnythingRuns() async throws {
        try await withStore { store, directory in
            let tokens = try testTokens(store)
            let admin = try tokens.create(user: "test-admin", role: .admin).bearer
            let app = buildApplication(store: store, tokens: tokens, configuration: ServerConfiguration(maxBodyBytes: 64), logger: quietLogger)
            try await app.test(.router) { client in
                let client = AuthorizedClient(base: client, bearer: admin)
                let big = ByteBuffer(bytes: Array(repeating: UInt8(ascii: "x"), count: 65))
                try await client.execute(uri: "/v1/streams/ext-1/events", method: .post, headers: [.contentType: "application/json"],
                                         body: big) { response in
                    let problem = try expectProblem(response, status: .contentTooLarge, code: "payload-too-large")
                    #expect((problem["detail"] as? String)?.contains("64 bytes") == true)
                }
                // At the limit the request reaches the router (here: a route that takes no body).
                try await client.execute(uri: "/v1/log/head", method: .get, body: ByteBuffer(bytes: Array(repeating: 0, count: 64))) { response in
                    #expect(response.status == .ok)
                }
                try await client.execute(uri: "/v1/log/head", method: .get, headers: [.contentLength: "abc"]) { response in
                    _ = try expectProblem(response, status: .badRequest, code: "bad-request")
                }
            }
            #expect(try store.head().position == 0)
        }
    }

    @Test func aStreamedBodyFailsAsSoonAsItPassesTheLimit() async throws {
        let (body, source) = RequestBody.makeStream()
        let limited = LimitedRequestBody(base: body, maxBytes: 10)
        // The producer waits for the consumer (backpressure), so it runs beside the reading loop.
        let producer = Task {
            for count in [6, 4, 1, 1] { await source.yield(ByteBuffer(bytes: Array(repeating: 1, count: count))) }
            source.finish()
        }
        defer { producer.cancel() }
        var received = 0
        do {
            for try await buffer in limited { received += buffer.readableBytes }
            Issue.record("the body was read past its limit")
        } catch let error as APIError {
            #expect(error.code == .payloadTooLarge)
        }
        #expect(received == 10)
    }

    @Test func requestsOverTheConcurrencyLimitGet429WithRetryAfter() async throws {
        let gate = RequestGate(limit: 1)
        let release = AsyncStream<Void>.makeStream()
        let router = Router()
        router.add(middleware: ConcurrencyLimitMiddleware(gate: gate, retryAfterSeconds: 3))
        router.get("/slow") { _, _ -> String in
            for await _ in release.stream { break }
            return "done"
        }
        router.get("/fast") { _, _ in "fast" }
        router.get("/health") { _, _ in "live" }
        let app = Application(router: router, logger: quietLogger)
        try await app.test(.router) { client in
            async let slow = client.execute(uri: "/slow", method: .get) { ($0.status, String(buffer: $0.body)) }
            for _ in 0..<500 where gate.current == 0 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(gate.current == 1)
            try await client.execute(uri: "/fast", method: .get) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] == "3")
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(String(buffer: response.body).contains("\"code\":\"too-many-requests\""))
            }
            // Probes always pass.
            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
            release.continuation.yield()
            let finished = try await slow
            #expect(finished.0 == .ok)
            #expect(finished.1 == "done")
            #expect(gate.current == 0)
            try await client.execute(uri: "/fast", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test func theGateNeverAdmitsMoreThanItsLimit() async {
        let gate = RequestGate(limit: 4)
        let admitted = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<64 { group.addTask { gate.enter() } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(admitted == 4)
        #expect(gate.current == 4)
        for _ in 0..<4 { gate.leave() }
        #expect(gate.current == 0)
    }
}
