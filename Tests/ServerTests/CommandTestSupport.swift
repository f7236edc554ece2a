import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
@testable import Server
import Testing

/// The API with tokens for every role the command tests act as, over a fresh store.
///
/// | user | role | team |
/// |---|---|---|
/// | `admin` | admin | |
/// | `mgr-01`, `mgr-02` | manager | `north` (once `defineTeams` ran) |
/// | `mgr-09` | manager | `south` |
/// | `agent-1`, `agent-2` | agent | |
/// | `audit` | auditor | |
/// | `shop` | integrator with `streams.append` | |
struct CommandAPI {
    let store: EventStore
    let client: any TestClientProtocol
    let bearers: [String: String]

    static func run(_ test: @Sendable (CommandAPI) async throws -> Void) async throws {
        try await withStore { store, _ in
            let tokens = try testTokens(store)
            var bearers: [String: String] = [:]
            for (user, role) in [("admin", Role.admin), ("mgr-01", .manager), ("mgr-02", .manager), ("mgr-09", .manager),
                                 ("agent-1", .agent), ("agent-2", .agent), ("audit", .auditor)] {
                bearers[user] = try tokens.create(user: user, role: role).bearer
            }
            bearers["shop"] = try tokens.create(user: "shop", role: .integrator, scopes: [.streamsAppend]).bearer
            bearers["crm-sync"] = try tokens.create(user: "crm-sync", role: .integrator, scopes: [.customersRead]).bearer
            let app = buildApplication(store: store, tokens: tokens, logger: quietLogger)
            let issued = bearers
            try await app.test(.router) { client in
                try await test(CommandAPI(store: store, client: client, bearers: issued))
            }
        }
    }

    /// Sends `body` (JSON text) to `path` as `user`.
    @discardableResult
    func send(_ method: HTTPRequest.Method = .post, _ path: String, _ body: String = "", as user: String = "admin",
              headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        headers[.authorization] = "Bearer \(bearers[user] ?? "none")"
        headers[.contentType] = "application/json"
        return try await client.executeRequest(uri: path, method: method, headers: headers,
                                               body: body.isEmpty ? nil : ByteBuffer(string: body))
    }

    /// Sends and expects a command answer with `status`; returns its body.
    @discardableResult
    func expectAccepted(_ method: HTTPRequest.Method = .post, _ path: String, _ body: String = "", as user: String = "admin",
                        status: HTTPResponse.Status = .ok, headers: HTTPFields = [:],
                        sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
        let response = try await send(method, path, body, as: user, headers: headers)
        #expect(response.status == status, "\(method) \(path): \(response.text)", sourceLocation: sourceLocation)
        return response.status == status ? response.object : [:]
    }

    /// The log's head position.
    var head: UInt64 { (try? store.head().position) ?? 0 }

    /// Defines teams `north` (mgr-01, mgr-02) and `south` (mgr-09).
    func defineTeams() async throws {
        try await expectAccepted(.post, "/v1/teams", #"{"teamId":"north","name":"North","region":"North"}"#, status: .created)
        try await expectAccepted(.post, "/v1/teams", #"{"teamId":"south","name":"South","region":"South"}"#, status: .created)
        for (team, manager) in [("north", "mgr-01"), ("north", "mgr-02"), ("south", "mgr-09")] {
            try await expectAccepted(.post, "/v1/teams/\(team)/members", #"{"managerId":"\#(manager)"}"#)
        }
    }

    /// Registers customer `id` managed by `manager`.
    func register(_ id: String, manager: String, email: String? = nil) async throws {
        let mail = email.map { #","email":"\#($0)""# } ?? ""
        try await expectAccepted(.post, "/v1/customers",
                                 #"{"customerId":"\#(id)","kind":"person","name":"Customer \#(id)","channel":"webForm","managerId":"\#(manager)"\#(mail)}"#,
                                 status: .created)
    }
}

extension TestResponse {
    /// The `fields` of a problem as `field: reason` pairs.
    var problemFields: [String: String] {
        let fields = object["fields"] as? [[String: Any]] ?? []
        return Dictionary(fields.compactMap { item in
            (item["field"] as? String).map { ($0, item["reason"] as? String ?? "") }
        }, uniquingKeysWith: { first, _ in first })
    }
}
