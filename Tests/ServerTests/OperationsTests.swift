import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Projections
@testable import Server
import Testing
import TestSupport

/// Readiness, wrong methods, and HTTPS.
@Suite("Operations: readiness, 405, TLS")
struct OperationsTests {
    @Test func readyWithoutReadModelsIsPublicAndAnswersFromTheStore() async throws {
        let clock = TestClock(may1st)
        try await withStore(clock: clock) { store, _ in
            try await seed(store, clock: clock)
            try await testAPI(store) { client in
                try await client.execute(uri: "/ready", method: .get, headers: [.authorization: "none"]) { response in
                    #expect(response.status == .ok)
                    #expect(response.logPosition == "5")
                    #expect(response.object["status"] as? String == "ready")
                    #expect(response.object["store"] as? String == "open")
                    #expect((response.object["lagging"] as? [Any])?.isEmpty == true)
                }
            }
        }
    }

    @Test func readyIs503UntilEveryProjectorIsWithinTheBound() async throws {
        try await withStore { store, directory in
            let engine = try ProjectionEngine(store: store, projectors: StandardProjectors.all, directory: directory + "/projections")
            // The router alone runs no services, so the projectors stay `starting` until run below.
            let router = buildRouter(store: store, tokens: try testTokens(store), projections: engine)
            let app = Application(router: router, logger: quietLogger)
            try await app.test(.router) { client in
                try await client.execute(uri: "/ready", method: .get) { response in
                    #expect(response.status == .serviceUnavailable)
                    #expect(response.headers[.contentType] == "application/json")
                    #expect(response.object["status"] as? String == "not-ready")
                    let lagging = (response.object["lagging"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
                    #expect(Set(lagging) == Set(engine.names))
                }
                let running = Task { await engine.run() }
                defer { running.cancel() }
                var status: HTTPResponse.Status = .serviceUnavailable
                for _ in 0..<1500 where status != .ok {
                    status = try await client.execute(uri: "/ready", method: .get) { $0.status }
                    if status != .ok { try await Task.sleep(for: .milliseconds(20)) }
                }
                #expect(status == .ok)
            }
        }
    }

    @Test func readinessAppliesBothBoundsAndRefusesParkedProjectors() {
        func status(_ state: ProjectorStatus.State, events: UInt64, seconds: Double) -> ProjectorStatus {
            ProjectorStatus(name: "p", version: 1, state: state, generation: 1, checkpoint: 10, head: 10 + events, lagEvents: events,
                            lagSeconds: seconds, eventsPerSecond: 0, eventsApplied: 10, parked: nil, rebuild: nil, lastRebuild: nil)
        }
        let bound = ReadinessBound(maxLagEvents: 100, maxLagSeconds: 5)
        #expect(Readiness.isReady(status(.live, events: 100, seconds: 5), bound: bound))
        #expect(Readiness.isReady(status(.catchingUp, events: 3, seconds: 0.5), bound: bound))
        #expect(Readiness.isReady(status(.rebuilding, events: 0, seconds: 0), bound: bound))
        #expect(!Readiness.isReady(status(.live, events: 101, seconds: 0), bound: bound))
        #expect(!Readiness.isReady(status(.live, events: 1, seconds: 5.5), bound: bound))
        #expect(!Readiness.isReady(status(.parked, events: 0, seconds: 0), bound: bound))
        #expect(!Readiness.isReady(status(.starting, events: 0, seconds: 0), bound: bound))
        let answer = Readiness(head: 110, projectors: [status(.live, events: 0, seconds: 0), status(.parked, events: 0, seconds: 0)], bound: bound)
        #expect(!answer.isReady)
        #expect(answer.lagging.map(\.state) == ["parked"])
        #expect(!Readiness(head: nil, projectors: [], bound: bound).isReady)
    }

    @Test func aKnownPathWithTheWrongMethodIs405WithAllow() async throws {
        try await withStore { store, _ in
            try await testAPI(store) { client in
                try await client.execute(uri: "/v1/events", method: .post) { response in
                    let problem = try expectProblem(response, status: .methodNotAllowed, code: "method-not-allowed")
                    #expect(problem["instance"] as? String == "/v1/events")
                    #expect(response.headers[.allow] == "GET")
                }
                try await client.execute(uri: "/v1/projections/customer360", method: .delete) { response in
                    _ = try expectProblem(response, status: .methodNotAllowed, code: "method-not-allowed")
                    #expect(response.headers[.allow] == "GET")
                }
                try await client.execute(uri: "/ready", method: .put) { response in
                    _ = try expectProblem(response, status: .methodNotAllowed, code: "method-not-allowed")
                }
                try await client.execute(uri: "/v1/nothing", method: .post) { response in
                    _ = try expectProblem(response, status: .notFound, code: "unknown-route")
                }
            }
            // Without a token the answer stays 401, as for unknown routes: the API is not mapped for strangers.
            try await testAPI(store) { client in
                try await client.execute(uri: "/v1/events", method: .post, headers: [.authorization: "Bearer nope"]) { response in
                    _ = try expectProblem(response, status: .unauthorized, code: "unauthenticated")
                }
            }
        }
    }

    @Test func routeCatalogMatchesPatterns() {
        let catalog = RouteCatalog(keys: ["GET /v1/events/{position}", "GET /v1/streams/{stream}/events", "POST /v1/streams/{stream}/events"])
        #expect(catalog.methods(for: "/v1/events/7") == ["GET"])
        #expect(catalog.methods(for: "/v1/streams/s-1/events") == ["GET", "POST"])
        #expect(catalog.methods(for: "/v1/streams/s-1") == [])
        #expect(catalog.methods(for: "/v1/events/7/x") == [])
    }

    @Test func servesHTTPSWithTheConfiguredCertificate() async throws {
        try await withStore { store, directory in
            let files = try makeSelfSignedCertificate(in: directory)
            let tokens = try testTokens(store)
            let admin = try tokens.create(user: "test-admin", role: .admin).bearer
            let app = buildApplication(store: store, tokens: tokens, configuration: ServerConfiguration(port: 0, tls: files), logger: quietLogger)
            try await app.test(.ahc(.https)) { client in
                try await client.execute(uri: "/health", method: .get) { response in
                    #expect(response.status == .ok)
                }
                let client = AuthorizedClient(base: client, bearer: admin)
                try await client.execute(uri: "/v1/log/head", method: .get) { response in
                    #expect(response.status == .ok)
                }
            }
        }
    }

    @Test func unreadableTLSFilesAreReported() throws {
        let files = TLSFiles(certificatePath: "/nonexistent/cert.pem", keyPath: "/nonexistent/key.pem")
        #expect(throws: (any Error).self) { try files.tlsConfiguration() }
    }

    /// A self-signed certificate for `localhost`, made with the `openssl` command line.
    func makeSelfSignedCertificate(in directory: String) throws -> TLSFiles {
        let files = TLSFiles(certificatePath: directory + "/cert.pem", keyPath: directory + "/key.pem")
        let process = try ChildProcess("/usr/bin/env", ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                                                        "-subj", "/CN=localhost", "-keyout", files.keyPath, "-out", files.certificatePath])
        try #require(process.wait() == .exit(0), "openssl could not make a certificate")
        return files
    }
}
