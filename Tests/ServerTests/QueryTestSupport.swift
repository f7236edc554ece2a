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

/// A small simulated company imported into a fresh store, its read models caught up, and the API
/// over it with one token per role, for the query route tests.
///
/// Teams (from the simulator's defaults): north = anna.keller, jonas.petersen, lea.hansen,
/// tobias.brandt; south and west likewise. `manager` is anna.keller (team north); `agent` acts as
/// jonas.petersen (so it has customers of its own); `serviceAgent` is the first service agent.
struct QueryCompany: Sendable {
    let client: any TestClientProtocol
    let store: EventStore
    let engine: ProjectionEngine
    let handler: CommandHandler
    let settings: SimulationSettings
    let bearers: [String: String]

    /// The managers of the team `anna.keller` belongs to.
    var north: Set<String> { Set(settings.teams[0].managers) }
    var south: Set<String> { Set(settings.teams[1].managers) }

    /// `GET uri` as `role` (a key of `bearers`), with extra headers.
    func get(_ uri: String, as role: String = "admin", headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        headers[.authorization] = "Bearer \(bearers[role] ?? "none")"
        return try await client.executeRequest(uri: uri, method: .get, headers: headers, body: nil)
    }

    /// The JSON object answered to `GET uri` as `role`, expecting 200.
    func object(_ uri: String, as role: String = "admin", sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
        let response = try await get(uri, as: role)
        #expect(response.status == .ok, "\(uri) as \(role): \(response.text)", sourceLocation: sourceLocation)
        return response.object
    }

    /// Follows `next` from `uri` (which must not end with a query separator) and returns every item.
    func all(_ uri: String, as role: String = "admin", limit: Int) async throws -> [[String: Any]] {
        var items: [[String: Any]] = []
        var cursor: String?
        var pages = 0
        repeat {
            let separator = uri.contains("?") ? "&" : "?"
            let page = try await object("\(uri)\(separator)limit=\(limit)" + (cursor.map { "&cursor=\($0)" } ?? ""), as: role)
            let batch = page["items"] as? [Any] ?? []
            #expect(batch.count <= limit)
            items.append(contentsOf: batch.map { ($0 as? [String: Any]) ?? ["id": $0] })
            cursor = page["next"] as? String
            pages += 1
        } while cursor != nil && pages < 10_000
        return items
    }
}

/// Runs `body` against a simulated company (`customers` at the start, one year).
func withQueryCompany(customers: Int = 40, _ body: @Sendable (QueryCompany) async throws -> Void) async throws {
    try await withStore { store, directory in
        let settings = SimulationSettings(customers: customers, years: 1, seed: 21)
        let file = directory + "/commands.ndjson"
        var data = Data()
        _ = try CompanySimulator().generateLines(settings) { data.append($0) }
        try data.write(to: URL(fileURLWithPath: file))
        let handler = CommandHandler(store: store)
        _ = try await CommandImporter(customers: CustomerService(handler: handler)).importFile(at: file)
        let engine = try ProjectionEngine(store: store, projectors: StandardProjectors.all, directory: directory + "/projections")
        let running = Task { await engine.run() }
        defer { running.cancel() }
        let head = try store.head().position
        for name in engine.names { _ = try await engine.waitUntil(name, reflects: head, timeout: .seconds(120)) }
        let tokens = try testTokens(store)
        let bearers = [
            "admin": try tokens.create(user: "test-admin", role: .admin).bearer,
            "auditor": try tokens.create(user: "test-auditor", role: .auditor).bearer,
            "manager": try tokens.create(user: settings.teams[0].managers[0], role: .manager).bearer,
            "agent": try tokens.create(user: settings.teams[0].managers[1], role: .agent).bearer,
            "serviceAgent": try tokens.create(user: settings.agents[0], role: .agent).bearer,
            "integrator": try tokens.create(user: "crm-sync", role: .integrator, scopes: [.customersRead]).bearer,
        ]
        let app = buildApplication(store: store, tokens: tokens, projections: engine, logger: quietLogger)
        try await app.test(.router) { client in
            try await body(QueryCompany(client: client, store: store, engine: engine, handler: handler, settings: settings, bearers: bearers))
        }
    }
}

extension Array where Element == [String: Any] {
    /// The string member `key` of every element.
    func strings(_ key: String) -> [String] { compactMap { $0[key] as? String } }
}
