import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Projections
@testable import Server
import Testing

/// The read-model query routes over a simulated company: pagination, scopes, freshness, ETags and
/// parameter errors.
@Suite("Query routes")
struct QueryRoutesTests {
    static let metadata = AppendMetadata(actor: Actor(id: "test-admin", role: "admin"),
                                         source: Source(clientAddress: "192.0.2.10", userAgent: "tests", host: "test"))

    @Test("customer list: pages without gaps or repeats, filters, sort, scopes, and bad parameters")
    func customerList() async throws {
        try await withQueryCompany { company in
            let everyone = try await company.all("/v1/customers", limit: 1000)
            #expect(everyone.count > 20)
            let paged = try await company.all("/v1/customers", limit: 7)
            #expect(paged.strings("customerId") == everyone.strings("customerId"), "pages of 7 repeat or skip customers")
            #expect(Set(paged.strings("customerId")).count == paged.count)
            let names = everyone.strings("name").map { $0.lowercased() }
            #expect(names == names.sorted())
            let descending = try await company.all("/v1/customers?sort=outstanding&order=desc", limit: 9)
            #expect(Set(descending.strings("customerId")) == Set(everyone.strings("customerId")))
            let active = try await company.all("/v1/customers?state=active", limit: 5)
            #expect(!active.isEmpty)
            #expect(active.allSatisfy { $0["state"] as? String == "active" })
            // valueGrade joins the state cycle's current grade.
            let gradeNone = Set(try await company.all("/v1/customers?valueGrade=none", limit: 6).strings("customerId"))
            let now = ISO8601DateFormatter().string(from: Date())
            let stateNone = Set(try await company.all("/v1/analytics/states?value=none&at=\(now)", limit: 1000).compactMap { $0["id"] as? String })
            #expect(!gradeNone.isEmpty)
            #expect(gradeNone == stateNone.intersection(everyone.strings("customerId")))

            // A manager sees its team's customers, all of them; an agent only its own.
            let team = try await company.all("/v1/customers", as: "manager", limit: 4)
            let expectedTeam = everyone.filter { company.north.contains($0["managerId"] as? String ?? "") }
            #expect(!team.isEmpty)
            #expect(team.strings("customerId") == expectedTeam.strings("customerId"))
            let own = try await company.all("/v1/customers", as: "agent", limit: 3)
            let agentUser = company.settings.teams[0].managers[1]
            #expect(!own.isEmpty)
            #expect(own.strings("customerId") == everyone.filter { $0["managerId"] as? String == agentUser }.strings("customerId"))
            // Asking for another team's manager yields nothing, not their customers.
            let southManager = company.settings.teams[1].managers[0]
            #expect(try await company.all("/v1/customers?manager=\(southManager)", as: "manager", limit: 50).isEmpty)
            #expect(try await company.all("/v1/customers?manager=\(southManager)", limit: 50).count > 0)

            // Single records: in scope 200, out of scope 404 as if unknown.
            let northId = try #require(expectedTeam.first?["customerId"] as? String)
            let southId = try #require(everyone.first { company.south.contains($0["managerId"] as? String ?? "") }?["customerId"] as? String)
            #expect(try await company.get("/v1/customers/\(northId)", as: "manager").status == .ok)
            try expectProblem(try await company.get("/v1/customers/\(southId)", as: "manager"), status: .notFound, code: "not-found")
            try expectProblem(try await company.get("/v1/customers/\(northId)", as: "serviceAgent"), status: .notFound, code: "not-found")
            #expect(try await company.get("/v1/customers/\(southId)?purpose=scope%20test", as: "auditor").status == .ok)
            #expect(try await company.get("/v1/customers/\(southId)", as: "integrator").status == .ok)

            for (uri, parameter) in [("/v1/customers?sort=size", "sort"), ("/v1/customers?order=up", "order"),
                                     ("/v1/customers?limit=0", "limit"), ("/v1/customers?cursor=%25%25", "cursor"),
                                     ("/v1/customers?state=happy", "state"), ("/v1/customers?valueGrade=z", "valueGrade"), ("/v1/customers?cursor=Zm9v", "cursor")] {
                let problem = try expectProblem(try await company.get(uri), status: .badRequest, code: "invalid-parameter")
                #expect(problem["parameter"] as? String == parameter, "\(uri)")
            }
        }
    }

    @Test("freshness: ETag and 304, asOf against live after a change, minPosition wait, 400 beyond the head")
    func freshness() async throws {
        try await withQueryCompany(customers: 20) { company in
            let first = try await company.all("/v1/customers", limit: 1).first
            let id = try #require(first?["customerId"] as? String)
            let before = try await company.get("/v1/customers/\(id)")
            #expect(before.status == .ok)
            let tag = try #require(before.headers[.eTag])
            let beforePosition = try #require(before.logPosition.flatMap(UInt64.init))
            let unchanged = try await company.get("/v1/customers/\(id)", headers: [.ifNoneMatch: tag])
            #expect(unchanged.status == .notModified)
            #expect(unchanged.body.readableBytes == 0)
            #expect(unchanged.headers[.eTag] == tag)
            // The first read appended its access event, so the read model reflects the same or (once
            // its projector has applied that event) a later position; what it says about the
            // customer did not change.
            #expect(UInt64(unchanged.logPosition ?? "") ?? 0 >= beforePosition)
            #expect(try await company.get("/v1/customers/\(id)", headers: [.ifNoneMatch: "\"other\", W/\(tag)"]).status == .notModified)
            #expect(try await company.get("/v1/customers/\(id)", headers: [.ifNoneMatch: "\"other\""]).status == .ok)

            let changed = try await company.handler.execute(ChangeCustomerProfile(customerId: id, fields: ["name": "Renamed Query Test"]),
                                                            context: DecisionContext(now: Date()), metadata: Self.metadata)
            let position = try #require(changed.positions.last)
            let live = try await company.get("/v1/customers/\(id)?minPosition=\(position)")
            #expect(live.status == .ok)
            #expect(live.text.contains("Renamed Query Test"))
            #expect(UInt64(live.logPosition ?? "") ?? 0 >= position)
            #expect(live.headers[.eTag] != tag)
            #expect(try await company.get("/v1/customers/\(id)", headers: [.ifNoneMatch: tag]).status == .ok)
            let past = try await company.get("/v1/customers/\(id)?asOf=\(beforePosition)")
            #expect(past.status == .ok)
            #expect(past.logPosition == String(beforePosition))
            #expect(!past.text.contains("Renamed Query Test"))
            #expect(past.headers[.eTag] == tag)
            // The list answers as of a position too.
            let listNow = try await company.object("/v1/customers?limit=1000&minPosition=\(position)")
            let listThen = try await company.object("/v1/customers?limit=1000&asOf=\(beforePosition)")
            #expect((listNow["items"] as? [[String: Any]])?.contains { $0["name"] as? String == "Renamed Query Test" } == true)
            #expect((listThen["items"] as? [[String: Any]])?.contains { $0["name"] as? String == "Renamed Query Test" } == false)

            // Lists revalidate the same way.
            let list = try await company.get("/v1/customers?limit=5")
            let listTag = try #require(list.headers[.eTag])
            #expect(try await company.get("/v1/customers?limit=5", headers: [.ifNoneMatch: listTag]).status == .notModified)
            #expect(try await company.get("/v1/customers?limit=6", headers: [.ifNoneMatch: listTag]).status == .ok)

            let beyond = try await company.get("/v1/pipeline?minPosition=\(position + 1000)")
            let problem = try expectProblem(beyond, status: .badRequest, code: "invalid-parameter")
            #expect((problem["detail"] as? String)?.contains("beyond the log head") == true)
            try expectProblem(try await company.get("/v1/pipeline?asOf=\(position + 1000)"), status: .badRequest, code: "invalid-parameter")
            try expectProblem(try await company.get("/v1/pipeline?asOf=1&minPosition=1"), status: .badRequest, code: "invalid-parameter")
            try expectProblem(try await company.get("/v1/pipeline?asOf=yesterday"), status: .badRequest, code: "invalid-parameter")
        }
    }

    @Test("without read models every query answers 503 unavailable")
    func withoutReadModels() async throws {
        try await withStore { store, _ in
            try await testAPI(store) { client in
                for uri in ["/v1/customers", "/v1/customers/C1", "/v1/pipeline", "/v1/analytics/cubes/revenue"] {
                    try await client.execute(uri: uri, method: .get) { response in
                        try expectProblem(response, status: .serviceUnavailable, code: "unavailable")
                    }
                }
            }
        }
    }

    @Test("pipeline: board, scoped boards recomputed exactly, stage cards paged per scope")
    func pipeline() async throws {
        try await withQueryCompany { company in
            let board = try await company.object("/v1/pipeline")
            let columns = try #require(board["columns"] as? [[String: Any]])
            #expect(!columns.isEmpty)
            #expect(!(board["forecast"] as? [Any] ?? []).isEmpty)
            // An agent's board (recomputed from its cards) equals the read model's board of that owner.
            let agentUser = company.settings.teams[0].managers[1]
            let ownerBoard = try await company.object("/v1/pipeline?owner=\(agentUser)")
            let agentBoard = try await company.object("/v1/pipeline", as: "agent")
            for key in ["columns", "forecast"] {
                let expected = try JSONSerialization.data(withJSONObject: ownerBoard[key] ?? [], options: .sortedKeys)
                let actual = try JSONSerialization.data(withJSONObject: agentBoard[key] ?? [], options: .sortedKeys)
                #expect(expected == actual, "\(key) of the recomputed board differs")
            }
            // The team board counts exactly the team's owners' opportunities.
            var teamCount = 0
            for owner in company.north {
                let owned = try await company.object("/v1/pipeline?owner=\(owner)")
                teamCount += (owned["columns"] as? [[String: Any]] ?? []).reduce(0) { $0 + (($1["count"] as? Int) ?? 0) }
            }
            let teamBoard = try await company.object("/v1/pipeline", as: "manager")
            #expect((teamBoard["columns"] as? [[String: Any]] ?? []).reduce(0) { $0 + (($1["count"] as? Int) ?? 0) } == teamCount)
            #expect(teamCount > 0)

            // Cards of a stage: paged without gaps, scoped.
            let stage = try #require(columns.max { ($0["count"] as? Int ?? 0) < ($1["count"] as? Int ?? 0) })
            let name = try #require((stage["stage"] as? String)?.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
            let cards = try await company.all("/v1/pipeline/stages/\(name)", limit: 2)
            #expect(cards.count == stage["count"] as? Int)
            #expect(Set(cards.strings("opportunityId")).count == cards.count)
            let teamCards = try await company.all("/v1/pipeline/stages/\(name)", as: "manager", limit: 2)
            #expect(teamCards.allSatisfy { company.north.contains($0["ownerId"] as? String ?? "") })
            #expect(Set(teamCards.strings("opportunityId")) == Set(cards.filter { company.north.contains($0["ownerId"] as? String ?? "") }.strings("opportunityId")))
            #expect(Set(teamCards.strings("opportunityId")).count == teamCards.count)

            // Opportunity cycles and customer sales cycles, in and out of scope.
            let southCard = try #require(cards.first { company.south.contains($0["ownerId"] as? String ?? "") })
            let southOpportunity = try #require(southCard["opportunityId"] as? String)
            #expect(try await company.get("/v1/opportunities/\(southOpportunity)/cycle").status == .ok)
            try expectProblem(try await company.get("/v1/opportunities/\(southOpportunity)/cycle", as: "manager"), status: .notFound, code: "not-found")
            try expectProblem(try await company.get("/v1/opportunities/nope/cycle"), status: .notFound, code: "not-found")
            let southCustomer = try #require(southCard["customerId"] as? String)
            let cycles = try await company.object("/v1/customers/\(southCustomer)/sales-cycles")
            #expect((cycles["cycles"] as? [[String: Any]])?.contains { $0["opportunityId"] as? String == southOpportunity } == true)
            try expectProblem(try await company.get("/v1/customers/\(southCustomer)/sales-cycles", as: "manager"), status: .notFound, code: "not-found")
            let problem = try expectProblem(try await company.get("/v1/pipeline/stages/\(name)?cursor=Zm9v", as: "manager"),
                                            status: .badRequest, code: "invalid-parameter")
            #expect(problem["parameter"] as? String == "cursor")
        }
    }

    @Test("service queue, at-risk, agents and follow-ups per scope")
    func serviceAndWork() async throws {
        try await withQueryCompany { company in
            // The simulated cases are resolved by the end of the year; open some now, for customers
            // of two teams, half assigned to a service agent, and tasks for a manager of each team.
            let customers = try await company.all("/v1/customers", limit: 1000)
            let northCustomers = customers.filter { company.north.contains($0["managerId"] as? String ?? "") }.strings("customerId")
            let southCustomers = customers.filter { company.south.contains($0["managerId"] as? String ?? "") }.strings("customerId")
            let opened = Date()
            var last: UInt64 = 0
            for (index, customerId) in (northCustomers.prefix(3) + southCustomers.prefix(4)).enumerated() {
                let caseId = "QT-\(index)"
                let priority = CasePriority.allCases[index % CasePriority.allCases.count]
                var result = try await company.handler.execute(
                    OpenCase(caseId: caseId, customerId: customerId, channel: .call, category: .question, priority: priority,
                             subject: "test case \(index)", description: "opened by the query tests"),
                    context: DecisionContext(now: opened.addingTimeInterval(Double(index) * -3600)), metadata: Self.metadata)
                if index % 2 == 0 {
                    result = try await company.handler.execute(AssignCase(caseId: caseId, agentId: company.settings.agents[0]),
                                                               context: DecisionContext(now: opened), metadata: Self.metadata)
                }
                last = max(last, result.positions.last ?? 0)
            }
            for (index, manager) in [company.settings.teams[0].managers[0], company.settings.teams[1].managers[0]].enumerated() {
                let customerId = index == 0 ? northCustomers[0] : southCustomers[0]
                let result = try await company.handler.execute(
                    AssignWorkTask(taskId: "QT-task-\(index)", managerId: manager, customerId: customerId, title: "call back",
                                   kind: .call, dueAt: opened.addingTimeInterval(-86_400)),
                    context: DecisionContext(now: opened), metadata: Self.metadata)
                last = max(last, result.positions.last ?? 0)
            }
            for name in ["serviceQueue", "followUps", "customer360"] { _ = try await company.engine.waitUntil(name, reflects: last, timeout: .seconds(30)) }
            let now = ISO8601DateFormatter().string(from: opened.addingTimeInterval(7 * 86_400))
            let queue = try await company.all("/v1/service/queue?now=\(now)", limit: 3)
            let whole = try await company.all("/v1/service/queue?now=\(now)", limit: 1000)
            #expect(!whole.isEmpty)
            let ids = queue.compactMap { ($0["item"] as? [String: Any])?["caseId"] as? String }
            #expect(ids == whole.compactMap { ($0["item"] as? [String: Any])?["caseId"] as? String })
            #expect(Set(ids).count == ids.count)
            let agents = try await company.object("/v1/service/queue/agents?now=\(now)")
            #expect((agents["agents"] as? [[String: Any]] ?? []).reduce(0) { $0 + ($1["open"] as? Int ?? 0) } == whole.count)
            let risk = try await company.object("/v1/service/queue/at-risk?now=\(now)&windowMinutes=120")
            #expect((risk["breached"] as? [Any])?.count ?? 0 > 0)

            // A service agent sees the cases assigned to it, and only those.
            let serviceAgent = company.settings.agents[0]
            let mine = try await company.all("/v1/service/queue?now=\(now)", as: "serviceAgent", limit: 5)
            let assigned = whole.filter { ($0["item"] as? [String: Any])?["agentId"] as? String == serviceAgent }
            #expect(mine.count == assigned.count)
            // A manager sees the cases of its team's customers.
            let teamCustomers = Set(customers.filter { company.north.contains($0["managerId"] as? String ?? "") }.strings("customerId"))
            let teamQueue = try await company.all("/v1/service/queue?now=\(now)", as: "manager", limit: 4)
            let expected = whole.filter { teamCustomers.contains(($0["item"] as? [String: Any])?["customerId"] as? String ?? "") }
            #expect(teamQueue.count == expected.count)
            #expect(teamQueue.count < whole.count)
            let teamAgents = try await company.object("/v1/service/queue/agents?now=\(now)", as: "manager")
            #expect((teamAgents["agents"] as? [[String: Any]] ?? []).reduce(0) { $0 + ($1["open"] as? Int ?? 0) } == expected.count)
            try expectProblem(try await company.get("/v1/service/queue?now=soon"), status: .badRequest, code: "invalid-parameter")
            try expectProblem(try await company.get("/v1/service/queue/at-risk?windowMinutes=0"), status: .badRequest, code: "invalid-parameter")

            // Follow-ups: every manager for admin, the team for a manager, 404 for another team's manager.
            let summary = try await company.object("/v1/follow-ups?now=\(now)")
            let managers = Set((summary["managers"] as? [[String: Any]] ?? []).strings("managerId"))
            #expect(!managers.isDisjoint(with: company.south))
            let teamSummary = try await company.object("/v1/follow-ups?now=\(now)", as: "manager")
            let teamManagers = Set((teamSummary["managers"] as? [[String: Any]] ?? []).strings("managerId"))
            #expect(teamManagers == managers.intersection(company.north))
            let self_ = company.settings.teams[0].managers[0]
            let list = try await company.object("/v1/follow-ups?manager=\(self_)&now=\(now)", as: "manager")
            #expect(list["managerId"] as? String == self_)
            let southManager = company.settings.teams[1].managers[0]
            try expectProblem(try await company.get("/v1/follow-ups?manager=\(southManager)", as: "manager"), status: .notFound, code: "not-found")
            try expectProblem(try await company.get("/v1/follow-ups?horizonDays=-1"), status: .badRequest, code: "invalid-parameter")

            // Campaigns: marketing.read only.
            let campaigns = try await company.object("/v1/campaigns")
            let first = try #require((campaigns["campaigns"] as? [[String: Any]])?.first?["record"] as? [String: Any])
            let campaignId = try #require(first["campaignId"] as? String)
            #expect(try await company.get("/v1/campaigns/\(campaignId)", as: "manager").status == .ok)
            try expectProblem(try await company.get("/v1/campaigns/nope"), status: .notFound, code: "not-found")
            try expectProblem(try await company.get("/v1/campaigns", as: "agent"), status: .forbidden, code: "forbidden")
            try expectProblem(try await company.get("/v1/service/queue", as: "integrator"), status: .forbidden, code: "forbidden")
        }
    }

    @Test("analytics: state cycle, transitions, sales-cycle reports and cubes per scope")
    func analytics() async throws {
        try await withQueryCompany { company in
            let customers = try await company.all("/v1/customers", limit: 1000)
            let teamCustomers = Set(customers.filter { company.north.contains($0["managerId"] as? String ?? "") }.strings("customerId"))
            let at = "2030-01-01"
            let states = try await company.all("/v1/analytics/states?state=prospect&at=\(at)", limit: 1000)
            let statesPaged = try await company.all("/v1/analytics/states?state=prospect&at=\(at)", limit: 3)
            #expect(states.count == statesPaged.count)
            let everyState = try await company.object("/v1/analytics/states?value=none&at=\(at)&limit=1")
            #expect(everyState["total"] as? Int ?? 0 > 0)
            let teamStates = try await company.all("/v1/analytics/states?state=prospect&at=\(at)", as: "manager", limit: 2)
            let teamIds = teamStates.compactMap { $0["id"] as? String }
            #expect(Set(teamIds) == Set(states.compactMap { $0["id"] as? String }).intersection(teamCustomers))
            try expectProblem(try await company.get("/v1/analytics/states"), status: .badRequest, code: "invalid-parameter")
            try expectProblem(try await company.get("/v1/analytics/states?state=active&risk=high"), status: .badRequest, code: "invalid-parameter")
            try expectProblem(try await company.get("/v1/analytics/states?value=z"), status: .badRequest, code: "invalid-parameter")

            // One customer's history and state, in and out of scope.
            let id = try #require(teamCustomers.sorted().first)
            let history = try await company.all("/v1/customers/\(id)/states", as: "manager", limit: 1)
            #expect(!history.isEmpty)
            #expect(try await company.get("/v1/customers/\(id)/state?at=\(at)", as: "manager").status == .ok)
            try expectProblem(try await company.get("/v1/customers/\(id)/state?at=1990-01-01"), status: .notFound, code: "not-found")
            try expectProblem(try await company.get("/v1/customers/\(id)/states", as: "serviceAgent"), status: .notFound, code: "not-found")

            let period = "from=2000-01-01&to=2030-01-01"
            let transitions = try await company.object("/v1/analytics/state-transitions?\(period)")
            #expect(transitions["registered"] as? Int ?? 0 > 0)
            try expectProblem(try await company.get("/v1/analytics/state-transitions?\(period)", as: "manager"), status: .forbidden, code: "forbidden")
            try expectProblem(try await company.get("/v1/analytics/state-transitions?from=2030-01-01&to=2000-01-01"),
                              status: .badRequest, code: "invalid-parameter")

            // Sales-cycle reports: a manager sees its owners' groups only.
            let byOwner = try await company.object("/v1/analytics/sales-cycle/win-rate?\(period)&by=owner")
            let owners = Set((byOwner["groups"] as? [[String: Any]] ?? []).strings("group"))
            #expect(!owners.isDisjoint(with: company.south))
            let teamOwners = try await company.object("/v1/analytics/sales-cycle/win-rate?\(period)&by=owner", as: "manager")
            #expect(Set((teamOwners["groups"] as? [[String: Any]] ?? []).strings("group")) == owners.intersection(company.north))
            let byTeam = try await company.object("/v1/analytics/sales-cycle/win-rate?\(period)&by=team")
            #expect(Set((byTeam["groups"] as? [[String: Any]] ?? []).strings("group")).isSuperset(of: ["north", "south"]))
            let teamOnly = try await company.object("/v1/analytics/sales-cycle/win-rate?\(period)&by=team", as: "manager")
            let northGroup = (byTeam["groups"] as? [[String: Any]] ?? []).first { $0["group"] as? String == "north" }
            #expect((teamOnly["groups"] as? [[String: Any]])?.count == 1)
            #expect((teamOnly["groups"] as? [[String: Any]])?.first?["won"] as? Int == northGroup?["won"] as? Int)
            let teamAll = try await company.object("/v1/analytics/sales-cycle/win-rate?\(period)", as: "manager")
            #expect((teamAll["groups"] as? [[String: Any]])?.first?["won"] as? Int == northGroup?["won"] as? Int)
            for report in ["stage-conversion", "time-in-stage", "cycle-lengths"] {
                #expect(!((try await company.object("/v1/analytics/sales-cycle/\(report)?\(period)&by=owner"))["groups"] as? [Any] ?? []).isEmpty)
            }
            try expectProblem(try await company.get("/v1/analytics/sales-cycle/velocity?\(period)"), status: .notFound, code: "not-found")
            try expectProblem(try await company.get("/v1/analytics/sales-cycle/win-rate"), status: .badRequest, code: "invalid-parameter")
            try expectProblem(try await company.get("/v1/analytics/sales-cycle/win-rate?\(period)&by=region"), status: .badRequest, code: "invalid-parameter")

            // Cubes: revenue by month and region; a manager's answer is its team's managers' cells.
            let cube = try await company.object("/v1/analytics/cubes/revenue?measures=ordersPlacedAmount&by=month,region")
            #expect(!(cube["rows"] as? [Any] ?? []).isEmpty)
            let north = company.north.sorted().joined(separator: ",")
            let filtered = try await company.object("/v1/analytics/cubes/revenue?measures=ordersPlaced&by=month&where=manager:\(north)")
            let teamCube = try await company.object("/v1/analytics/cubes/revenue?measures=ordersPlaced&by=month", as: "manager")
            let everyone = try await company.object("/v1/analytics/cubes/revenue?measures=ordersPlaced&by=month")
            #expect((teamCube["totals"] as? [String: Int])?["ordersPlaced"] == (filtered["totals"] as? [String: Int])?["ordersPlaced"])
            #expect((teamCube["totals"] as? [String: Int])?["ordersPlaced"] ?? 0 < (everyone["totals"] as? [String: Int])?["ordersPlaced"] ?? 0)
            let pivot = try await company.object("/v1/analytics/cubes/pipeline?by=quarter&pivot=stage&where=year:2025,2026")
            #expect(pivot["pivot"] as? String == "stage")
            for (uri, parameter) in [("/v1/analytics/cubes/revenue?by=stage", "by"), ("/v1/analytics/cubes/revenue?measures=won", "measures"),
                                     ("/v1/analytics/cubes/revenue?where=region", "where"), ("/v1/analytics/cubes/revenue?by=month&pivot=month", "pivot"),
                                     ("/v1/analytics/cubes/revenue?from=soon", "from")] {
                let problem = try expectProblem(try await company.get(uri), status: .badRequest, code: "invalid-parameter")
                #expect(problem["parameter"] as? String == parameter, "\(uri)")
            }
            try expectProblem(try await company.get("/v1/analytics/cubes/velocity"), status: .notFound, code: "not-found")
            try expectProblem(try await company.get("/v1/analytics/cubes/revenue", as: "agent"), status: .forbidden, code: "forbidden")
        }
    }
}
