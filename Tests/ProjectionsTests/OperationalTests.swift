import Domain
import EventStore
import Foundation
@testable import Projections
import Testing

/// The operational views over a generated company, each answer compared with the independent
/// recomputation of `OperationalWorld`; rebuilds reproduce them byte for byte and as-of
/// snapshots equal the recomputation over the truncated log.
@Suite("Operational views")
struct OperationalTests {
    // MARK: Checks, one per view

    static func check360(_ reader: ReadModelReader, _ world: OperationalWorld) throws {
        #expect(!world.registered.isEmpty)
        for id in world.registered.keys.sorted() {
            var actual = try Customer360.query(reader, customerId: id)
            actual?.position = 0
            let expected = world.expected360(id)
            #expect(actual == expected, "360 of \(id)")
            if actual != expected { return }
        }
        #expect(try Customer360.query(reader, customerId: "no-such-customer") == nil)
    }

    static func pages(_ reader: ReadModelReader, _ filter: CustomerListFilter, _ sort: CustomerListSort, _ descending: Bool) throws -> [String] {
        var ids: [String] = []
        var cursor: String?
        repeat {
            let page = try CustomerList.query(reader, filter: filter, sort: sort, descending: descending, after: cursor, limit: 7)
            #expect(page.items.count <= 7)
            ids += page.items.map(\.customerId)
            cursor = page.nextCursor
        } while cursor != nil
        return ids
    }

    static func checkList(_ reader: ReadModelReader, _ world: OperationalWorld) throws {
        let survivors = world.registered.keys.filter { world.mergedInto[$0] == nil }
        let segments = Set(survivors.compactMap { world.customers[$0]?.classification?.segment })
        let regions = Set(survivors.compactMap { world.customers[$0]?.classification?.region })
        let managers = Set(survivors.compactMap { world.customers[$0]?.managerId })
        let tags = Set(survivors.flatMap { world.customers[$0]?.tags ?? [] })
        var filters = [CustomerListFilter()]
        filters += segments.sorted().map { CustomerListFilter(segment: $0) }
        filters += regions.sorted().map { CustomerListFilter(region: $0) }
        filters += managers.sorted().prefix(3).map { CustomerListFilter(managerId: $0) }
        filters += tags.sorted().prefix(3).map { CustomerListFilter(tag: $0) }
        filters += CustomerLifecycleState.allCases.map { CustomerListFilter(state: $0) }
        if let s = segments.sorted().first { filters.append(CustomerListFilter(segment: s, state: .active)) }
        if let r = regions.sorted().first, let m = managers.sorted().first { filters.append(CustomerListFilter(region: r, managerId: m)) }
        for filter in filters {
            for sort in CustomerListSort.allCases {
                for descending in [false, true] where filter == CustomerListFilter() || !descending || sort == .outstanding {
                    let expected = world.expectedList(filter, sort: sort, descending: descending)
                    let actual = try pages(reader, filter, sort, descending)
                    #expect(actual == expected, "list \(filter) \(sort) desc=\(descending)")
                }
            }
        }
        // The merged ones are never listed.
        let listed = Set(try pages(reader, CustomerListFilter(), .name, false))
        for absorbed in world.mergedInto.keys { #expect(!listed.contains(absorbed)) }
        #expect(throws: OperationalQueryError.self) { try CustomerList.query(reader, sort: .registeredAt, after: "bm90IGEga2V5") }
    }

    static func checkPipeline(_ reader: ReadModelReader, _ world: OperationalWorld) throws {
        let owners = Set(world.opportunities.values.filter { $0.status == .open }.map(\.ownerId))
        for owner in [nil] + owners.sorted().map(Optional.some) {
            let board = try PipelineBoard.query(reader, ownerId: owner)
            let expected = world.expectedPipeline(ownerId: owner)
            var columns: [String: OperationalWorld.Cell] = [:]
            for column in board.columns {
                columns[column.stage] = OperationalWorld.Cell(count: column.count, amount: column.amount, weightedRaw: [:])
            }
            #expect(columns == expected.stages.mapValues { OperationalWorld.Cell(count: $0.count, amount: $0.amount, weightedRaw: [:]) })
            for column in board.columns {
                let raw = expected.stages[column.stage]?.weightedRaw ?? [:]
                #expect(column.weighted == raw.mapValues { OperationalWorld.roundDiv($0, 100) }.filter { $0.value != 0 })
            }
            // Columns in average-probability order.
            let probabilities = Dictionary(grouping: world.opportunities.values.filter { $0.status == .open && (owner == nil || $0.ownerId == owner) }, by: \.stage)
                .mapValues { os in OperationalWorld.roundDiv(Int64(os.map { world.probability($0) }.reduce(0, +)) * 100, Int64(os.count)) }
            #expect(board.columns.map(\.stage) == probabilities.keys.sorted { (probabilities[$0]!, $0) < (probabilities[$1]!, $1) })
            #expect(board.forecast.map(\.month) == expected.months.keys.sorted())
            for month in board.forecast {
                let cell = expected.months[month.month]
                #expect(month.count == cell?.count && month.amount == cell?.amount)
                #expect(month.weighted == (cell?.weightedRaw ?? [:]).mapValues { OperationalWorld.roundDiv($0, 100) }.filter { $0.value != 0 })
            }
            // Cards of the fullest column, paginated.
            if let stage = board.columns.max(by: { $0.count < $1.count })?.stage {
                var ids: [String] = []
                var cursor: String?
                repeat {
                    let page = try PipelineBoard.cards(reader, stage: stage, ownerId: owner, after: cursor, limit: 3)
                    ids += page.items.map(\.opportunityId)
                    cursor = page.nextCursor
                } while cursor != nil
                let expectedIds = world.opportunities.filter { $0.value.status == .open && $0.value.stage == stage && (owner == nil || $0.value.ownerId == owner) }
                    .keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
                #expect(ids == expectedIds)
            }
        }
    }

    static func checkQueue(_ reader: ReadModelReader, _ world: OperationalWorld, now: Date) throws {
        let rank: (CasePriority) -> Int = { CasePriority.allCases.firstIndex(of: $0)! }
        let agents: [String??] = [nil, .some(nil)] + Set(world.cases.values.compactMap(\.agentId)).sorted().prefix(4).map { .some($0) }
        let window: Duration = .seconds(6 * 3600)
        for agent in agents {
            let open = world.openCases(agentId: agent).sorted {
                (rank($0.c.priority), $0.c.openedAt, $0.id) < (rank($1.c.priority), $1.c.openedAt, $1.id)
            }
            var ids: [String] = []
            var cursor: String?
            repeat {
                let page = try ServiceQueue.open(reader, agentId: agent, now: now, after: cursor, limit: 5)
                for item in page.items {
                    let c = world.cases[item.item.caseId]!
                    #expect(item.ageMinutes == Int64(now.timeIntervalSince(c.openedAt) / 60))
                    #expect(item.resolutionBreached == (c.resolutionDueAt < now))
                    #expect(item.firstResponseBreached == (!c.hasFirstResponse && c.firstResponseDueAt < now))
                    #expect(item.item.agentId == c.agentId && item.item.status == c.status && item.item.escalationLevel == c.escalationLevel)
                }
                ids += page.items.map(\.item.caseId)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(ids == open.map(\.id), "queue of \(String(describing: agent))")
            let risk = try ServiceQueue.atRisk(reader, agentId: agent, now: now, window: window)
            let byDue = world.openCases(agentId: agent).sorted { (OperationalWorld.nextDue($0.c), $0.id) < (OperationalWorld.nextDue($1.c), $1.id) }
            #expect(risk.breached.map(\.item.caseId) == byDue.filter { OperationalWorld.nextDue($0.c) < now }.map(\.id))
            let horizon = now.addingTimeInterval(6 * 3600)
            #expect(risk.aboutToBreach.map(\.item.caseId)
                    == byDue.filter { OperationalWorld.nextDue($0.c) >= now && OperationalWorld.nextDue($0.c) < horizon }.map(\.id))
        }
        let loads = try ServiceQueue.byAgent(reader, now: now, window: window)
        let expectedAgents = Set(world.openCases().map { $0.c.agentId ?? "" })
        #expect(loads.map { $0.agentId ?? "" } == expectedAgents.sorted())
        for load in loads {
            let mine = world.openCases(agentId: .some(load.agentId))
            #expect(load.open == mine.count)
            #expect(load.breached == mine.filter { OperationalWorld.nextDue($0.c) < now }.count)
            #expect(load.complaints == mine.filter { world.caseOpened[$0.id]!.isComplaint }.count)
            #expect(load.byPriority == Dictionary(grouping: mine, by: { $0.c.priority.rawValue }).mapValues(\.count))
        }
    }

    static func checkFollowUps(_ reader: ReadModelReader, _ world: OperationalWorld, now: Date) throws {
        let horizon = now.addingTimeInterval(7 * 86_400)
        let managers = Set(world.tasks.values.filter { $0.status == .open }.compactMap { $0.assignment?.managerId })
        for manager in managers.sorted() + ["no-such-manager"] {
            let list = try FollowUps.forManager(reader, managerId: manager, now: now)
            let open = world.openTasks(of: manager)
            let overdue = open.filter { $0.task.isOverdue || $0.task.assignment!.dueAt < now }
            let due = open.filter { !($0.task.isOverdue || $0.task.assignment!.dueAt < now) && $0.task.assignment!.dueAt < horizon }
            #expect(list.overdue.map(\.taskId) == overdue.map(\.id))
            #expect(list.due.map(\.taskId) == due.map(\.id))
            #expect(list.later == open.count - overdue.count - due.count)
            for task in list.overdue + list.due {
                #expect(task.customerId == world.tasks[task.taskId]!.assignment!.customerId)
                #expect(task.title == world.taskAssigned[task.taskId]!.title)
            }
        }
        let summary = try FollowUps.summary(reader, now: now)
        #expect(summary.map(\.managerId) == managers.sorted())
        for s in summary {
            let open = world.openTasks(of: s.managerId)
            #expect(s.open == open.count)
            #expect(s.overdue == open.filter { $0.task.isOverdue || $0.task.assignment!.dueAt < now }.count)
        }
    }

    static func checkCampaigns(_ reader: ReadModelReader, _ world: OperationalWorld) throws {
        let all = try CampaignPerformance.all(reader)
        #expect(all.map(\.record.campaignId) == world.campaignPlanned.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        for p in all {
            let x = world.expectedCampaign(p.record.campaignId)!
            let r = p.record
            #expect(r.targeted == x.targeted && r.responded == x.responded && r.converted == x.converted, "counts of \(r.campaignId)")
            #expect(r.budget == x.budget && r.actualCost == x.actualCost && r.conversionValue == x.conversionValue)
            #expect(r.revenue == x.revenue, "revenue of \(r.campaignId)")
            #expect(r.wonOpportunities == x.won && r.orders == x.orders)
            let cost = (x.actualCost ?? x.budget).minorUnits
            #expect(p.costPerConversion == (x.converted > 0 ? OperationalWorld.roundDiv(cost, Int64(x.converted)) : nil))
            let revenue = x.revenue[x.budget.currency] ?? 0
            #expect(p.roiBasisPoints == (cost > 0 ? OperationalWorld.roundDiv((revenue - cost) * 10_000, cost) : nil))
            #expect(p.responseRateBasisPoints == (x.targeted > 0 ? OperationalWorld.roundDiv(Int64(x.responded) * 10_000, Int64(x.targeted)) : nil))
        }
    }

    static func checkAll(_ read: (String, (ReadModelReader) throws -> Void) throws -> Void, _ events: [ProjectedEvent]) throws {
        let world = OperationalWorld(events)
        let now = OperationalWorld.lastBusinessTime(events)
        try read("customer360") { try check360($0, world); try checkList($0, world) }
        try read("pipeline") { try checkPipeline($0, world) }
        try read("serviceQueue") { reader in
            try checkQueue(reader, world, now: now)
            try checkQueue(reader, world, now: now.addingTimeInterval(-3 * 86_400))
        }
        try read("followUps") { reader in
            try checkFollowUps(reader, world, now: now)
            try checkFollowUps(reader, world, now: now.addingTimeInterval(-10 * 86_400))
        }
        try read("campaigns") { try checkCampaigns($0, world) }
    }

    // MARK: Tests

    @Test("every view equals the brute-force recomputation; rebuilds reproduce the same bytes")
    func generatedCompany() async throws {
        let log = try await CompanyLog(customers: 40, years: 2)
        let engine = try log.engine(OperationalProjectors.all, batchSize: 97)
        try engine.catchUp()
        let events = try log.events()
        #expect(events.contains { $0.payload is CustomerMerged }, "the simulated company merges duplicates")
        #expect(OperationalWorld(events).opportunities.values.contains { $0.status == .open })
        try Self.checkAll({ name, body in try engine.read(name) { reader in #expect(reader.position == log.head); try body(reader) } }, events)
        for name in engine.names {
            try engine.rebuild(name)
        }
        try engine.catchUp()
        for name in engine.names {
            #expect(try engine.status(of: name).lastRebuild?.checksumsMatch == true, "rebuild of \(name)")
        }
        try Self.checkAll({ name, body in try engine.read(name, body) }, events)
    }

    @Test("as of past positions equals the recomputation over the log truncated there")
    func asOf() async throws {
        let log = try await CompanyLog(customers: 30, years: 2, seed: 5)
        let engine = try log.engine(OperationalProjectors.all, batchSize: 97)
        try engine.catchUp()
        let events = try log.events()
        var checkedOpenCases = 0, checkedOpenTasks = 0
        // Cases and tasks are short-lived: cut the log right after some openings so the queues are not empty.
        let caseOpenings = events.filter { $0.payload is CaseOpened }.map(\.position)
        let taskOpenings = events.filter { $0.payload is WorkTaskAssigned }.map(\.position)
        let positions = [caseOpenings[caseOpenings.count / 3], taskOpenings[taskOpenings.count / 2],
                         caseOpenings[caseOpenings.count * 3 / 4], log.head * 3 / 5]
        for position in positions {
            let prefix = Array(events.prefix(Int(position)))
            let world = OperationalWorld(prefix)
            checkedOpenCases += world.openCases().count
            checkedOpenTasks += world.tasks.values.filter { $0.status == .open }.count
            var snapshots: [String: ProjectionGeneration] = [:]
            for name in engine.names { snapshots[name] = try await engine.asOf(name, position: position) }
            try Self.checkAll({ name, body in
                try snapshots[name]!.read { reader in #expect(reader.position == position); try body(reader) }
            }, prefix)
        }
        // The snapshots must have had something in the queues to compare.
        #expect(checkedOpenCases > 0 && checkedOpenTasks > 0)
    }
}
