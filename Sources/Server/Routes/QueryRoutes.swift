import Foundation
import Hummingbird
import Projections

/// The read-model queries of issue 5: every read model in `Projections`, served with one set of
/// rules.
///
/// - Freshness: `asOf` (a log position or an ISO-8601 time) answers from the read model as it was
///   then; `minPosition` waits (bounded) until it reflects that position, else 503 `unavailable`
///   naming the position reached. Both come from `ProjectionRoutes.read`.
/// - Every answer is a `QueryAnswer`: `X-Log-Position` is the position the read model reflected,
///   `ETag` a strong tag of the body, and `If-None-Match` with that tag answers 304.
/// - Lists are cursor-paginated (`cursor`, `limit`, `next`), see `QueryCursor` and `ScopedPaging`.
/// - Row-level scope (`RowScope`): lists, boards, queues, follow-ups, reports and cubes contain only
///   rows in the caller's scope; a single record out of scope is 404 as if it did not exist.
/// - Personal data (issue 6): answers that carry personal values (the customer 360 and list, the
///   service queue, a manager's follow-ups) show erased subjects' values as `erased`
///   (`ErasureMask`), and are recorded as a `DataAccessed` event before they are sent
///   (`AccessRecorder`), for every role; an auditor must give a `purpose`.
///
/// The handlers live in `Queries/QueryRoutes+<Area>.swift`; the access rules in
/// `RoutePermissions+Queries.swift`, the documentation in `APIOperations+Queries.swift`.
struct QueryRoutes {
    let dependencies: APIDependencies

    func add(to router: Router<CRMRequestContext>) {
        router.get("/v1/customers", use: customerList)
        router.get("/v1/customers/{id}", use: customer)
        router.get("/v1/customers/{id}/states", use: customerStates)
        router.get("/v1/customers/{id}/state", use: customerState)
        router.get("/v1/customers/{id}/sales-cycles", use: customerSalesCycles)
        router.get("/v1/opportunities/{id}/cycle", use: opportunityCycle)
        router.get("/v1/pipeline", use: pipeline)
        router.get("/v1/pipeline/stages/{stage}", use: pipelineCards)
        router.get("/v1/service/queue", use: serviceQueue)
        router.get("/v1/service/queue/at-risk", use: serviceAtRisk)
        router.get("/v1/service/queue/agents", use: serviceAgents)
        router.get("/v1/follow-ups", use: followUps)
        router.get("/v1/campaigns", use: campaigns)
        router.get("/v1/campaigns/{id}", use: campaign)
        router.get("/v1/analytics/states", use: stateAnalytics)
        router.get("/v1/analytics/state-transitions", use: stateTransitions)
        router.get("/v1/analytics/sales-cycle/{report}", use: salesCycleReport)
        router.get("/v1/analytics/cubes/{cube}", use: cube)
    }

    /// The running read models; 503 when the server runs without them.
    var engine: ProjectionEngine {
        get throws(APIError) {
            guard let engine = dependencies.projections else {
                throw APIError(.unavailable, "this server runs without read models; queries are unavailable")
            }
            return engine
        }
    }

    /// Runs `body` on read model `name` honouring `asOf` and `minPosition` (shared with the
    /// projection routes, so both answer freshness the same way).
    func read<T: Sendable>(_ name: String, _ query: QueryParameters,
                           _ body: @escaping @Sendable (ReadModelReader) throws -> T) async throws -> T {
        let routes = ProjectionRoutes<CRMRequestContext>(engine: try engine)
        return try await routes.read(name, query: query) { reader in
            do { return try body(reader) } catch let error as OperationalQueryError {
                switch error {
                case .badCursor: throw APIError.invalidParameter("cursor", "cursor does not belong to this query (other filters or sort)")
                }
            }
        }
    }

    /// Runs `body` and wraps its value with the position the reader reflected.
    func answer<T: Encodable & Sendable>(_ name: String, _ query: QueryParameters,
                                         _ body: @escaping @Sendable (ReadModelReader) throws -> T) async throws -> QueryAnswer {
        let (value, position) = try await read(name, query) { reader in (try body(reader), reader.position) }
        return try QueryAnswer(position: position, encoding: value)
    }

    /// Masks erased subjects' values in answers; nil without a key ring (nothing can be erased).
    var mask: ErasureMask? { dependencies.keyRing.map { ErasureMask(keyRing: $0) } }

    /// Records reads of personal data.
    var recorder: AccessRecorder { AccessRecorder(store: dependencies.store, encoded: dependencies.accessEventData) }

    /// The query's parameters as an access event records them: every one but `purpose` (which
    /// has a member of its own) and `cursor` (opaque), each cut to 200 bytes, at most 20.
    static func accessFilters(_ request: Request) -> [String: String] {
        var filters: [String: String] = [:]
        for (name, value) in request.uri.queryParameters where filters.count < 20 && name != "purpose" && name != "cursor" {
            filters[String(name)] = String(decoding: String(value).utf8.prefix(200), as: UTF8.self)
        }
        return filters
    }

    /// The caller's row-level scope.
    func scope(_ context: CRMRequestContext) throws -> RowScope {
        guard let principal = context.principal else { throw APIError(.unauthenticated, "no authenticated caller") }
        return try RowScope.of(principal, teams: dependencies.teams)
    }

    /// 403 for restricted callers on reports that carry no manager to restrict by.
    func requireUnrestricted(_ scope: RowScope, _ what: String) throws(APIError) {
        guard scope == .all else {
            throw APIError(.forbidden, "\(what) cannot be restricted to your team or your own customers, so it is open only to roles that see every customer")
        }
    }

    /// The ids of the customers a restricted scope covers (its managers' customers, from the
    /// customer list of the same `asOf`), nil for an unrestricted scope.
    func customerIds(in scope: RowScope, _ query: QueryParameters) async throws -> Set<String>? {
        guard case .managers(let managers) = scope else { return nil }
        return try await read("customer360", query) { reader in
            var ids = Set<String>()
            for manager in managers {
                var cursor: String?
                repeat {
                    let page = try CustomerList.query(reader, filter: CustomerListFilter(managerId: manager), after: cursor, limit: 1000)
                    ids.formUnion(page.items.map(\.customerId))
                    cursor = page.nextCursor
                } while cursor != nil
            }
            return ids
        }
    }
}
