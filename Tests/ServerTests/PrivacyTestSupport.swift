import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Projections
@testable import Server
import Testing

/// The API over a store whose personal data is sealed under a key ring (or not, with
/// `encrypted: false`), with every read model running, and a token per role:
///
/// | key | user | role |
/// |---|---|---|
/// | `admin` | `test-admin` | admin |
/// | `manager` | `mgr-1` | manager (no team: its own customers) |
/// | `auditor` | `aud` | auditor |
/// | `integrator` | `crm-sync` | integrator (`streams.append`, `log.read`, `customers.read`, `audit.export`) |
struct PrivacyAPI: Sendable {
    static let email = "ann.sealed-4711@example.org"
    static let name = "Ann Sealed"
    static let contactName = "Bert Contact"
    static let contactEmail = "bert.contact-4711@example.org"
    static let interactionSubject = "Divorce settlement call 4711"

    let client: any TestClientProtocol
    let store: EventStore
    let engine: ProjectionEngine
    let keyRing: SubjectKeyRing?
    let bearers: [String: String]

    /// `method uri` as `role`, with a JSON body.
    func send(_ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, as role: String = "admin",
              headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        headers[.authorization] = "Bearer \(bearers[role] ?? "none")"
        if body != nil { headers[.contentType] = "application/json" }
        return try await client.executeRequest(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    func get(_ uri: String, as role: String = "admin") async throws -> TestResponse {
        try await send(.get, uri, as: role)
    }

    /// Sends and expects `status`.
    @discardableResult
    func expect(_ status: HTTPResponse.Status, _ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, as role: String = "admin",
                sourceLocation: SourceLocation = #_sourceLocation) async throws -> TestResponse {
        let response = try await send(method, uri, body, as: role)
        #expect(response.status == status, "\(method) \(uri) as \(role): \(response.text)", sourceLocation: sourceLocation)
        return response
    }

    /// Customer c1 (Ann Sealed, with contact ct1 and an interaction whose subject is personal)
    /// and customer c2, both registered by the manager `mgr-1`.
    func seed() async throws {
        try await expect(.created, .post, "/v1/customers", #"""
            {"customerId":"c1","kind":"person","name":"\#(Self.name)","email":"\#(Self.email)","phone":"+49 30 4711 0815","channel":"webForm"}
            """#, as: "manager")
        try await expect(.ok, .post, "/v1/customers/c1/contacts",
                         #"{"contactId":"ct1","name":"\#(Self.contactName)","email":"\#(Self.contactEmail)"}"#, as: "manager")
        try await expect(.ok, .post, "/v1/customers/c1/interactions", #"""
            {"interactionId":"i1","channel":"call","direction":"inbound","outcome":"reached","subject":"\#(Self.interactionSubject)"}
            """#, as: "manager")
        try await expect(.created, .post, "/v1/customers",
                         #"{"customerId":"c2","kind":"person","name":"Carl Other","email":"carl.other@example.org","channel":"phone"}"#,
                         as: "manager")
    }

    /// Waits until every read model reflects the log head.
    func settle() async throws {
        let head = try store.head().position
        for name in engine.names { _ = try await engine.waitUntil(name, reflects: head, timeout: .seconds(120)) }
    }

    /// The access events recorded so far, with their envelopes.
    func accesses() throws -> [(event: RecordedEvent, access: DataAccessed)] {
        try store.readStream(DataAccessed.stream).map { ($0, try $0.decode(DataAccessed.self)) }
    }

    var head: UInt64 { (try? store.head().position) ?? 0 }
}

/// Runs `body` against a fresh `PrivacyAPI`.
func withPrivacyAPI(encrypted: Bool = true, _ body: @Sendable (PrivacyAPI) async throws -> Void) async throws {
    try await withStore { store, directory in
        let keyRing = encrypted
            ? try SubjectKeyRing(dataDirectory: directory, masterKeyPath: directory + "-master.key", createMasterKey: true) : nil
        defer { try? FileManager.default.removeItem(atPath: directory + "-master.key") }
        defer { try? FileManager.default.removeItem(atPath: directory + "-master.key.erasures") }
        let registry = keyRing.map { EventRegistry.domain.protecting(with: $0) } ?? .domain
        let engine = try ProjectionEngine(store: store, projectors: StandardProjectors.all, directory: directory + "/projections",
                                          registry: registry)
        let running = Task { await engine.run() }
        defer { running.cancel() }
        let tokens = try testTokens(store)
        let bearers = [
            "admin": try tokens.create(user: "test-admin", role: .admin).bearer,
            "manager": try tokens.create(user: "mgr-1", role: .manager).bearer,
            "auditor": try tokens.create(user: "aud", role: .auditor).bearer,
            "integrator": try tokens.create(user: "crm-sync", role: .integrator,
                                            scopes: [.streamsAppend, .logRead, .customersRead, .auditExport]).bearer,
        ]
        let app = buildApplication(store: store, tokens: tokens, projections: engine, keyRing: keyRing, logger: quietLogger)
        try await app.test(.router) { client in
            try await body(PrivacyAPI(client: client, store: store, engine: engine, keyRing: keyRing, bearers: bearers))
        }
    }
}
