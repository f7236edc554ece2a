import Foundation
import Hummingbird
import Projections

/// Analytics: customers by state-cycle label at a time, state transitions over a period, the
/// sales-cycle reports and the cubes.
extension QueryRoutes {
    /// `GET /v1/analytics/states?state=|value=|risk=&at=&cursor=&limit=`: the customers carrying one
    /// label at business time `at` (default now), in id order, with `total`. Restricted callers see
    /// only their scope's customers (ownership from the customer list at the same `asOf`).
    @Sendable func stateAnalytics(_ request: Request, context: CRMRequestContext) async throws -> QueryAnswer {
        let query = QueryParameters(request)
        var filters: [StateCycleFilter] = []
        if let state = try query.choice("state", LifecycleState.self) { filters.append(.state(state)) }
        if let value = try query.choice("value", ValueGrade.self) { filters.append(.value(value)) }
        if let risk = try query.choice("risk", RiskGrade.self) { filters.append(.risk(risk)) }
        guard filters.count == 1, let filter = filters.first else {
            throw APIError.invalidParameter("state", "give exactly one of state, value or risk")
        }
        let at = try query.timestamp("at") ?? Int64(Date().timeIntervalSince1970 * 1000)
        let limit = try query.limit()
        let cursor = try QueryCursor.parameter(query)
        let customers = try await customerIds(in: try scope(context), query)
        return try await answer("stateCycle", query) { reader in
            guard let customers else {
                let page = try StateCycleQueries.customers(reader, filter, at: at, after: cursor, limit: limit)
                return QueryPage(items: page.customerIds, next: page.next.map(QueryCursor.encode), position: reader.position, total: page.total)
            }
            let all = try StateCycleQueries.customers(reader, filter, at: at, limit: Int.max).customerIds.filter(customers.contains)
            let start = cursor.map { after in all.firstIndex { $0 > after } ?? all.endIndex } ?? all.startIndex
            let items = Array(all[start...].prefix(limit))
            let next = start + items.count < all.count ? items.last : nil
            return QueryPage(items: items, next: next.map(QueryCursor.encode), position: reader.position, total: all.count)
        }
    }

    /// The required `from` and `to` (ISO-8601) of a period report, in ms, `from` < `to`.
    static func period(_ query: QueryParameters) throws(APIError) -> (from: Int64, to: Int64) {
        guard let from = try query.timestamp("from") else { throw .invalidParameter("from", "from (ISO-8601) is required") }
        guard let to = try query.timestamp("to") else { throw .invalidParameter("to", "to (ISO-8601) is required") }
        guard from < to else { throw .invalidParameter("to", "to must be after from") }
        return (from, to)
    }

    /// `GET /v1/analytics/state-transitions?from=&to=`: counts between states, value grades and
    /// risk grades over `[from, to)`. The transitions carry no manager, so restricted callers are
    /// refused (403) rather than shown company totals.
    @Sendable func stateTransitions(_ request: Request, context: CRMRequestContext) async throws -> QueryAnswer {
        let query = QueryParameters(request)
        let (from, to) = try Self.period(query)
        try requireUnrestricted(try scope(context), "the state-transition report")
        return try await answer("stateCycle", query) { reader in try StateCycleQueries.transitions(reader, from: from, to: to) }
    }

    /// `GET /v1/analytics/sales-cycle/{report}?from=&to=&by=all|owner|team&bucketDays=`: stage
    /// conversion, time in stage, win rate or cycle lengths over `[from, to)`. Restricted callers
    /// get figures of the owners in their scope only: `owner` keeps their groups, `team` and `all`
    /// group only their owners (everyone else falls in a group that is dropped).
    @Sendable func salesCycleReport(_ request: Request, context: CRMRequestContext) async throws -> QueryAnswer {
        let name = try context.pathIdentifier("report")
        guard let report = SalesCycleReport(rawValue: name) else {
            throw APIError.notFound("no sales-cycle report \(name); there are \(SalesCycleReport.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let query = QueryParameters(request)
        let (from, to) = try Self.period(query)
        let by = try query.choice("by", SalesCycleGroupBy.self) ?? .all
        let bucketDays = Int64(try query.integer("bucketDays", in: 1...366) ?? 7)
        let scope = try scope(context)
        let grouping: SalesCycleGrouping
        let keep: @Sendable (String) -> Bool
        switch (scope, by) {
        case (.all, .all): grouping = .all; keep = { _ in true }
        case (.all, .owner): grouping = .owner; keep = { _ in true }
        case (.all, .team): grouping = .team(try dependencies.teams.assignments()); keep = { _ in true }
        case (.managers(let managers), .owner):
            grouping = .owner
            keep = { managers.contains($0) }
        case (.managers(let managers), .all):
            grouping = .team(Dictionary(uniqueKeysWithValues: managers.map { ($0, "all") }))
            keep = { $0 == "all" }
        case (.managers(let managers), .team):
            var teamOf: [String: String] = [:]
            // Owners outside the scope fall in `unassigned`, which is dropped; an in-scope manager
            // without a team is grouped as `no-team`.
            for manager in managers { teamOf[manager] = try dependencies.teams.team(of: manager) ?? "no-team" }
            grouping = .team(teamOf)
            let groups = Set(teamOf.values).subtracting(["unassigned"])
            keep = { groups.contains($0) }
        }
        @Sendable func wrap<G: Encodable & Sendable>(_ groups: [G], _ position: UInt64) -> SalesCycleReportAnswer<G> {
            SalesCycleReportAnswer(report: report.rawValue, from: from, to: to, by: by.rawValue, groups: groups, position: position)
        }
        switch report {
        case .stageConversion:
            return try await answer("salesCycle", query) { reader in
                wrap(try SalesCycleQueries.stageConversion(reader, from: from, to: to, grouping: grouping).filter { keep($0.group) }, reader.position)
            }
        case .timeInStage:
            return try await answer("salesCycle", query) { reader in
                wrap(try SalesCycleQueries.timeInStage(reader, from: from, to: to, grouping: grouping).filter { keep($0.group) }, reader.position)
            }
        case .winRate:
            return try await answer("salesCycle", query) { reader in
                wrap(try SalesCycleQueries.winRate(reader, from: from, to: to, grouping: grouping).filter { keep($0.group) }, reader.position)
            }
        case .cycleLengths:
            return try await answer("salesCycle", query) { reader in
                wrap(try SalesCycleQueries.cycleLengths(reader, from: from, to: to, bucketDays: bucketDays, grouping: grouping)
                    .filter { keep($0.group) }, reader.position)
            }
        }
    }

    /// `GET /v1/analytics/cubes/{cube}`: slice, dice, roll-up, drill-down and pivot of one cube
    /// (`CubeRequest` documents the parameters). Restricted callers' answers are limited to cells
    /// whose manager dimension (the customer's manager at the event) is in their scope.
    @Sendable func cube(_ request: Request, context: CRMRequestContext) async throws -> QueryAnswer {
        let name = try context.pathIdentifier("cube")
        guard let kind = CubeKind(rawValue: name) else {
            throw APIError.notFound("no cube \(name); there are \(CubeKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let query = QueryParameters(request)
        let cubeQuery = try CubeRequest.parse(kind, query, where: request.uri.queryParameters.getAll("where"), scope: try scope(context))
        return try await answer("cubes", query) { reader in try cubeQuery.answer(reader) }
    }
}
