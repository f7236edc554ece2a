import Foundation
import Hummingbird
import Projections

/// Sales queries: the pipeline board and its cards, one opportunity's cycle.
extension QueryRoutes {
    /// `GET /v1/pipeline?owner=`: the board (stage columns) and weighted forecast by close month.
    /// Unrestricted callers get the read model's board (everyone's or one owner's); restricted ones
    /// the board of the owners in their scope (`TeamPipelineBoard`), or of `owner` when in scope.
    @Sendable func pipeline(_ request: Request, context: CRMRequestContext) async throws -> QueryAnswer {
        let query = QueryParameters(request)
        let owner = try query.identifier("owner")
        switch try scope(context) {
        case .all:
            return try await answer("pipeline", query) { reader in try PipelineBoard.query(reader, ownerId: owner) }
        case .managers(let managers):
            let owners = owner.map { managers.contains($0) ? [$0] : [] } ?? managers
            return try await answer("pipeline", query) { reader in try TeamPipelineBoard.query(reader, owners: owners) }
        }
    }

    /// `GET /v1/pipeline/stages/{stage}?owner=&cursor=&limit=`: the open opportunities of a stage.
    /// Order: by opportunity id for one owner or everyone; for a restricted scope by owner, then id.
    @Sendable func pipelineCards(_ request: Request, context: CRMRequestContext) async throws -> QueryAnswer {
        let stage = try context.pathIdentifier("stage")
        let query = QueryParameters(request)
        let owner = try query.identifier("owner")
        let limit = try query.limit(default: 50)
        let cursor = try QueryCursor.parameter(query)
        let scope = try scope(context)
        let owners: [String?]
        switch scope {
        case .all: owners = [owner]
        case .managers(let managers): owners = (owner.map { managers.contains($0) ? [$0] : [] } ?? managers).sorted()
        }
        return try await answer("pipeline", query) { reader in
            let page = try Self.cards(reader, stage: stage, owners: owners, cursor: cursor, limit: limit)
            return QueryPage(items: page.items, next: page.next.map(QueryCursor.encode), position: reader.position)
        }
    }

    /// Cards of `stage` for `owners` one after the other. The inner cursor is `owner` U+001F the
    /// read model's cursor within that owner (empty: from its first card).
    static func cards(_ reader: ReadModelReader, stage: String, owners: [String?], cursor: String?,
                      limit: Int) throws -> (items: [PipelineOpportunity], next: String?) {
        let separator: Character = "\u{1F}"
        var startIndex = 0
        var inner: String?
        if let cursor {
            let parts = cursor.split(separator: separator, maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, let index = owners.firstIndex(where: { ($0 ?? "") == parts[0] }) else {
                throw APIError.invalidParameter("cursor", "cursor does not belong to this query")
            }
            startIndex = index
            inner = parts[1].isEmpty ? nil : parts[1]
        }
        var items: [PipelineOpportunity] = []
        for index in owners.indices where index >= startIndex {
            let owner = owners[index]
            let page = try PipelineBoard.cards(reader, stage: stage, ownerId: owner, after: index == startIndex ? inner : nil,
                                               limit: limit - items.count)
            items.append(contentsOf: page.items)
            if let next = page.nextCursor { return (items, "\(owner ?? "")\(separator)\(next)") }
            if items.count >= limit {
                return (items, index + 1 < owners.count ? "\(owners[index + 1] ?? "")\(separator)" : nil)
            }
        }
        return (items, nil)
    }

    /// `GET /v1/opportunities/{id}/cycle`: one opportunity's sales cycle; 404 when unknown or when
    /// neither its owner nor its customer's manager is in the caller's scope.
    @Sendable func opportunityCycle(_ request: Request, context: CRMRequestContext) async throws -> QueryAnswer {
        let id = try context.pathIdentifier("id")
        let query = QueryParameters(request)
        let scope = try scope(context)
        let (cycle, position) = try await read("salesCycle", query) { reader in
            (try SalesCycleQueries.opportunity(reader, id), reader.position)
        }
        guard let cycle else { throw APIError.notFound("no opportunity \(id) as of position \(position)") }
        if !scope.allows(manager: cycle.ownerId) {
            do { try await requireCustomerInScope(cycle.customerId, query, context) } catch let error as APIError where error.code == .notFound {
                throw APIError.notFound("no opportunity \(id) as of position \(position)")
            }
        }
        return try QueryAnswer(position: position, encoding: cycle)
    }
}
