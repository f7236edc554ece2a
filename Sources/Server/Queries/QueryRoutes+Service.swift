import Foundation
import Hummingbird
import Projections

/// Service and work queries: the queue (by priority and age), cases at SLA risk, the load per
/// agent, and follow-ups. Breaches and due times are judged at `now` (ISO-8601, default the
/// server's clock), so the same question can be asked about any moment.
extension QueryRoutes {
    /// Whether a queued case is visible: assigned to someone in scope, or for a customer in scope.
    static func visible(_ c: QueuedCase, scope: RowScope, customers: Set<String>?) -> Bool {
        guard let customers else { return true }
        return scope.allows(manager: c.agentId) || customers.contains(c.customerId)
    }

    /// `now` (default the server's clock) and the about-to-breach `windowMinutes` (default 60).
    static func serviceTime(_ query: QueryParameters) throws(APIError) -> (now: Date, window: Duration) {
        let now = try query.timestamp("now").map { Date(timeIntervalSince1970: Double($0) / 1000) } ?? Date()
        let minutes = try query.integer("windowMinutes", in: 1...43_200) ?? 60
        return (now, .seconds(minutes * 60))
    }

    /// `GET /v1/service/queue?agent=&now=&cursor=&limit=`: open cases, urgent first and oldest
    /// first within a priority, with age and breach flags. Case subjects are personal data: a
    /// page is recorded as one access listing its customers.
    @Sendable func serviceQueue(_ request: Request, context: CRMRequestContext) async throws -> QueryAnswer {
        let query = QueryParameters(request)
        let purpose = try AccessRecorder.purpose(request, principal: context.principal)
        let agent = try query.identifier("agent")
        let (now, _) = try Self.serviceTime(query)
        let limit = try query.limit(default: 50)
        let cursor = try QueryCursor.parameter(query)
        let scope = try scope(context)
        let customers = try await customerIds(in: scope, query)
        let mask = mask
        let (page, position) = try await read("serviceQueue", query) { reader in
            var page = try ScopedPaging.collect(limit: limit, cursor: cursor, fetch: { after, count in
                let page = try ServiceQueue.open(reader, agentId: agent.map { .some($0) }, now: now, after: after, limit: count)
                return (page.items, page.nextCursor)
            }, keep: { Self.visible($0.item, scope: scope, customers: customers) })
            mask?.apply(to: &page.items)
            return (QueryPage(items: page.items, next: page.next.map(QueryCursor.encode), position: reader.position), reader.position)
        }
        try await recorder.record(PersonalDataRead(cases: page.items, field: "items.item.subject"), route: "GET /v1/service/queue",
                                  filters: Self.accessFilters(request), purpose: purpose, context: context)
        return try QueryAnswer(position: position, encoding: page)
    }

    /// The cases at risk, as `ServiceQueue.AtRisk` restricted to the caller's scope.
    struct AtRiskAnswer: Encodable, Sendable {
        var breached: [ServiceQueue.Item]
        var aboutToBreach: [ServiceQueue.Item]
        var position: UInt64
    }

    /// `GET /v1/service/queue/at-risk?agent=&now=&windowMinutes=`: breached cases and those due
    /// within the window, earliest due first.
    @Sendable func serviceAtRisk(_ request: Request, context: CRMRequestContext) async throws -> QueryAnswer {
        let query = QueryParameters(request)
        let purpose = try AccessRecorder.purpose(request, principal: context.principal)
        let agent = try query.identifier("agent")
        let (now, window) = try Self.serviceTime(query)
        let scope = try scope(context)
        let customers = try await customerIds(in: scope, query)
        let mask = mask
        let risk = try await read("serviceQueue", query) { reader in
            let risk = try ServiceQueue.atRisk(reader, agentId: agent.map { .some($0) }, now: now, window: window)
            var answer = AtRiskAnswer(breached: risk.breached.filter { Self.visible($0.item, scope: scope, customers: customers) },
                                      aboutToBreach: risk.aboutToBreach.filter { Self.visible($0.item, scope: scope, customers: customers) },
                                      position: reader.position)
            mask?.apply(to: &answer.breached)
            mask?.apply(to: &answer.aboutToBreach)
            return answer
        }
        let read = PersonalDataRead(cases: risk.breached, field: "breached.item.subject")
            .union(PersonalDataRead(cases: risk.aboutToBreach, field: "aboutToBreach.item.subject"))
        try await recorder.record(read, route: "GET /v1/service/queue/at-risk", filters: Self.accessFilters(request), purpose: purpose,
                                  context: context)
        return try QueryAnswer(position: risk.position, encoding: risk)
    }

    /// The load per agent and the position it reflects.
    struct AgentsAnswer: Encodable, Sendable {
        var agents: [ServiceQueue.AgentLoad]
        var position: UInt64
    }

    /// `GET /v1/service/queue/agents?now=&windowMinutes=`: open work per agent (unassigned first).
    @Sendable func serviceAgents(_ request: Request, context: CRMRequestContext) async throws -> QueryAnswer {
        let query = QueryParameters(request)
        let (now, window) = try Self.serviceTime(query)
        let scope = try scope(context)
        let customers = try await customerIds(in: scope, query)
        return try await answer("serviceQueue", query) { reader in
            var items: [ServiceQueue.Item] = []
            var cursor: String?
            repeat {
                let page = try ServiceQueue.open(reader, now: now, after: cursor, limit: 1000)
                items.append(contentsOf: page.items.filter { Self.visible($0.item, scope: scope, customers: customers) })
                cursor = page.nextCursor
            } while cursor != nil
            return AgentsAnswer(agents: ServiceQueue.loads(of: items.map(\.item), now: now, window: window), position: reader.position)
        }
    }

    /// Follow-up counts per manager in scope.
    struct FollowUpSummary: Encodable, Sendable {
        var managers: [FollowUps.ManagerSummary]
        var position: UInt64
    }

    /// `GET /v1/follow-ups?manager=&now=&horizonDays=`: with `manager`, that manager's overdue and
    /// due tasks (404 when out of scope); without, the counts of every manager in scope.
    @Sendable func followUps(_ request: Request, context: CRMRequestContext) async throws -> QueryAnswer {
        let query = QueryParameters(request)
        let manager = try query.identifier("manager")
        let now = try query.timestamp("now").map { Date(timeIntervalSince1970: Double($0) / 1000) } ?? Date()
        let horizon = Duration.seconds((try query.integer("horizonDays", in: 1...366) ?? 7) * 86_400)
        let scope = try scope(context)
        if let manager {
            // A manager's list names tasks, whose titles are personal data (about the customer).
            let purpose = try AccessRecorder.purpose(request, principal: context.principal)
            guard scope.allows(manager: manager) else { throw APIError.notFound("no follow-ups of \(manager) in your scope") }
            let mask = mask
            let list = try await read("followUps", query) { reader in
                var list = try FollowUps.forManager(reader, managerId: manager, now: now, horizon: horizon)
                mask?.apply(to: &list.overdue)
                mask?.apply(to: &list.due)
                return list
            }
            let read = PersonalDataRead(tasks: list.overdue, field: "overdue.title")
                .union(PersonalDataRead(tasks: list.due, field: "due.title"))
            try await recorder.record(read, route: "GET /v1/follow-ups", filters: Self.accessFilters(request), purpose: purpose,
                                      context: context)
            return try QueryAnswer(position: list.position, encoding: list)
        }
        return try await answer("followUps", query) { reader in
            FollowUpSummary(managers: try FollowUps.summary(reader, now: now, horizon: horizon).filter { scope.allows(manager: $0.managerId) },
                            position: reader.position)
        }
    }

    /// Every campaign's performance and the position it reflects.
    struct CampaignsAnswer: Encodable, Sendable {
        var campaigns: [CampaignPerformance]
        var position: UInt64
    }

    /// `GET /v1/campaigns`: every campaign's performance, by id. Campaigns belong to marketing,
    /// not to a customer manager, so every holder of `marketing.read` sees them all.
    @Sendable func campaigns(_ request: Request, context: CRMRequestContext) async throws -> QueryAnswer {
        let query = QueryParameters(request)
        return try await answer("campaigns", query) { reader in
            CampaignsAnswer(campaigns: try CampaignPerformance.all(reader), position: reader.position)
        }
    }

    /// `GET /v1/campaigns/{id}`: one campaign's performance; 404 when never planned.
    @Sendable func campaign(_ request: Request, context: CRMRequestContext) async throws -> QueryAnswer {
        let id = try context.pathIdentifier("id")
        let query = QueryParameters(request)
        let (campaign, position) = try await read("campaigns", query) { reader in
            (try CampaignPerformance.query(reader, campaignId: id), reader.position)
        }
        guard let campaign else { throw APIError.notFound("no campaign \(id) as of position \(position)") }
        return try QueryAnswer(position: position, encoding: campaign)
    }
}
