@testable import Domain
import EventStore
import Foundation
import Projections
import Testing

/// An independent recomputation of the sales cycles from the raw events.
struct SalesCycleBruteForce {
    struct Visit: Equatable {
        var stage: String
        var entered: Int64
        var entry: String
        var by: String
        var reason: String?
        var exited: Int64?
        var exit: String?
        var exitBy: String?
        var exitReason: String?
        var ownerAtExit: String?
    }

    struct Opportunity {
        var id: String
        var customer: String
        var owner: String
        var opened: Int64
        var last: Int64
        var stageOrder: [String]
        var visits: [Visit] = []
        var status = "open"
        var closedAt: Int64?
        var ownerAtClose = ""
        var outcomes: [(status: String, at: Int64, retracted: Bool)] = []
        var reopenings = 0
        var reversals = 0
        var skips = 0
        /// (time, from, to, owner at the move)
        var moves: [(at: Int64, from: String, to: String, owner: String)] = []
    }

    var opportunities: [String: Opportunity] = [:]
    var lists: [String: [String]] = [:]
    var mergedInto: [String: String] = [:]

    init(events: [ProjectedEvent]) {
        for event in events { apply(event) }
    }

    static func ms(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    mutating func apply(_ event: ProjectedEvent) {
        guard let payload = event.payload else { return }
        let actor = event.envelope.actor.id
        func with(_ id: String, _ date: Date, _ body: (inout Opportunity, Int64) -> Void) {
            guard var o = opportunities[id] else { return }
            let t = max(Self.ms(date), o.last)
            body(&o, t)
            o.last = t
            opportunities[id] = o
        }
        func leave(_ o: inout Opportunity, _ t: Int64, _ exit: String, _ reason: String?, to target: String) {
            let i = o.visits.count - 1
            guard o.visits[i].exited == nil else { return }
            o.visits[i].exited = t
            o.visits[i].exit = exit
            o.visits[i].exitBy = actor
            o.visits[i].exitReason = reason
            o.visits[i].ownerAtExit = o.owner
            o.moves.append((t, o.visits[i].stage, target, o.owner))
        }
        switch payload {
        case let e as OpportunityOpened:
            let t = Self.ms(e.occurredAt)
            var o = Opportunity(id: e.opportunityId, customer: e.customerId, owner: e.ownerId, opened: t, last: t, stageOrder: e.stages.map(\.name))
            o.visits = [Visit(stage: e.stage, entered: t, entry: "opened", by: actor, reason: event.envelope.reason)]
            opportunities[e.opportunityId] = o
            lists[e.customerId, default: []].append(e.opportunityId)
            if let survivor = mergedInto[e.customerId] { lists[survivor, default: []].append(e.opportunityId) }
        case let e as OpportunityStageChanged:
            with(e.opportunityId, e.occurredAt) { o, t in
                let reason = e.reason ?? event.envelope.reason
                leave(&o, t, e.direction.rawValue, reason, to: e.toStage)
                if e.direction == .back { o.reversals += 1 }
                if e.direction == .skip { o.skips += 1 }
                o.visits.append(Visit(stage: e.toStage, entered: t, entry: e.direction.rawValue, by: actor, reason: reason))
            }
        case let e as OpportunityOwnerChanged: with(e.opportunityId, e.occurredAt) { o, _ in o.owner = e.ownerId }
        case let e as OpportunityProcessRevisionAdopted: with(e.opportunityId, e.occurredAt) { o, _ in o.stageOrder = e.stages.map(\.name) }
        case let e as OpportunityAmountChanged: with(e.opportunityId, e.occurredAt) { _, _ in }
        case let e as OpportunityWon:
            with(e.opportunityId, e.occurredAt) { o, t in
                leave(&o, t, "won", event.envelope.reason, to: "won")
                o.status = "won"; o.closedAt = t; o.ownerAtClose = o.owner
                o.outcomes.append(("won", t, false))
            }
        case let e as OpportunityLost:
            with(e.opportunityId, e.occurredAt) { o, t in
                leave(&o, t, "lost", e.reason, to: "lost")
                o.status = "lost"; o.closedAt = t; o.ownerAtClose = o.owner
                o.outcomes.append(("lost", t, false))
            }
        case let e as OpportunityReopened:
            with(e.opportunityId, e.occurredAt) { o, t in
                if o.status != "open", !o.outcomes.isEmpty { o.outcomes[o.outcomes.count - 1].retracted = true }
                o.status = "open"; o.closedAt = nil
                o.reopenings += 1
                o.visits.append(Visit(stage: o.visits.last!.stage, entered: t, entry: "reopened", by: actor, reason: e.reason))
            }
        case let e as CustomerMerged:
            for id in lists[e.absorbedId] ?? [] where !(lists[e.customerId] ?? []).contains(id) { lists[e.customerId, default: []].append(id) }
            lists[e.customerId] = lists[e.customerId] ?? []
        case let e as CustomerAbsorbed:
            mergedInto[e.customerId] = e.survivorId
            lists[e.customerId] = lists[e.customerId] ?? []
        default: break
        }
    }

    func list(_ customer: String) -> [String] {
        (lists[customer] ?? []).sorted { (opportunities[$0]!.opened, $0) < (opportunities[$1]!.opened, $1) }
    }

    static func nearestRank(_ values: [Int64], _ p: Double) -> Int64 {
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[max(0, rank - 1)]
    }
}

@Suite("Sales cycle history")
struct SalesCycleTests {
    static let day: Int64 = 86_400_000

    static func groupOf(_ grouping: SalesCycleGrouping, _ owner: String) -> String {
        switch grouping {
        case .all: "all"
        case .owner: owner
        case .team(let map): map[owner] ?? "unassigned"
        }
    }

    static func compare(_ reader: ReadModelReader, _ brute: SalesCycleBruteForce, teams: [String: String]) throws {
        // Every opportunity's path.
        for (id, b) in brute.opportunities {
            let cycle = try #require(try SalesCycleQueries.opportunity(reader, id))
            #expect(cycle.customerId == b.customer && cycle.ownerId == b.owner && cycle.openedAt == b.opened)
            #expect(cycle.status.rawValue == b.status && cycle.closedAt == b.closedAt)
            #expect(cycle.reversals == b.reversals && cycle.skips == b.skips && cycle.reopenings.count == b.reopenings)
            #expect(cycle.outcomes.map { "\($0.status.rawValue)@\($0.at)/\($0.retracted)" } == b.outcomes.map { "\($0.status)@\($0.at)/\($0.retracted)" })
            let visits = cycle.visits.map {
                SalesCycleBruteForce.Visit(stage: $0.stage, entered: $0.enteredAt, entry: $0.entry.rawValue, by: $0.enteredBy, reason: $0.entryReason,
                                           exited: $0.exitedAt, exit: $0.exit?.rawValue, exitBy: $0.exitedBy, exitReason: $0.exitReason,
                                           ownerAtExit: nil)
            }
            #expect(visits == b.visits.map { var v = $0; v.ownerAtExit = nil; return v }, "path of \(id)")
        }
        #expect(try reader.count(SalesCycleProjector.opportunities) == brute.opportunities.count)
        // Per customer, the cycles in order (merges included).
        for customer in brute.lists.keys {
            let cycles = try SalesCycleQueries.cycles(reader, customerId: customer)
            #expect(cycles?.cycles.map(\.opportunityId) == brute.list(customer), "cycles of \(customer)")
            #expect(cycles?.mergedInto == brute.mergedInto[customer])
        }
        let opened = brute.opportunities.values.map(\.opened)
        guard let start = opened.min(), let end = brute.opportunities.values.map(\.last).max() else { return }
        let periods = [(start, end + 1), (start + (end - start) / 4, start + (end - start) * 3 / 4), (start, start + (end - start) / 3)]
        for (from, to) in periods {
            for grouping in [SalesCycleGrouping.all, .owner, .team(teams)] {
                try comparePeriod(reader, brute, from: from, to: to, grouping: grouping)
            }
        }
    }

    static func comparePeriod(_ reader: ReadModelReader, _ brute: SalesCycleBruteForce, from: Int64, to: Int64, grouping: SalesCycleGrouping) throws {
        func inPeriod(_ t: Int64) -> Bool { t >= from && t < to }
        let opportunities = brute.opportunities.values.sorted { $0.id < $1.id }
        // Moves.
        var moves: [String: [String: Int]] = [:]
        for o in opportunities { for m in o.moves where inPeriod(m.at) { moves[groupOf(grouping, m.owner), default: [:]]["\(m.from)>\(m.to)", default: 0] += 1 } }
        // Cohort reach.
        var cohort: [String: Int] = [:]
        var entered: [String: [String: Int]] = [:]
        var reach: [String: [String: Int]] = [:]
        for o in opportunities where inPeriod(o.opened) {
            let g = groupOf(grouping, o.owner)
            cohort[g, default: 0] += 1
            let path = o.visits.map(\.stage) + (o.status == "won" ? ["won"] : [])
            for stage in Set(path) {
                entered[g, default: [:]][stage, default: 0] += 1
                let first = path.firstIndex(of: stage)!
                for target in Set(path[(first + 1)...]) where target != stage { reach[g, default: [:]]["\(stage)>\(target)", default: 0] += 1 }
            }
        }
        let conversion = try SalesCycleQueries.stageConversion(reader, from: from, to: to, grouping: grouping)
        #expect(Set(conversion.map(\.group)) == Set(moves.keys).union(cohort.keys))
        for report in conversion {
            var gotMoves: [String: Int] = [:]
            for m in report.moves { gotMoves["\(m.from)>\(m.to)"] = m.count }
            #expect(gotMoves == (moves[report.group] ?? [:]), "moves of \(report.group)")
            #expect(report.cohort == (cohort[report.group] ?? 0))
            var gotEntered: [String: Int] = [:]
            for e in report.entered {
                gotEntered[e.stage] = e.count
                #expect(abs(e.share - Double(e.count) / Double(report.cohort)) < 1e-9)
            }
            #expect(gotEntered == (entered[report.group] ?? [:]))
            var gotReach: [String: Int] = [:]
            for r in report.reach {
                gotReach["\(r.from)>\(r.to)"] = r.count
                #expect(abs(r.share - Double(r.count) / Double(entered[report.group]![r.from]!)) < 1e-9)
            }
            #expect(gotReach == (reach[report.group] ?? [:]), "reach of \(report.group)")
        }
        // Time in stage.
        var stays: [String: [String: [Int64]]] = [:]
        for o in opportunities {
            for v in o.visits { if let exited = v.exited, inPeriod(exited) { stays[groupOf(grouping, v.ownerAtExit!), default: [:]][v.stage, default: []].append(exited - v.entered) } }
        }
        let times = try SalesCycleQueries.timeInStage(reader, from: from, to: to, grouping: grouping)
        #expect(times.map(\.group) == stays.keys.sorted())
        for report in times {
            let expected = stays[report.group] ?? [:]
            #expect(report.stages.map(\.stage) == expected.keys.sorted())
            for s in report.stages {
                let values = expected[s.stage] ?? []
                #expect(s.count == values.count)
                #expect(s.averageMs == values.reduce(0, +) / Int64(max(1, values.count)))
                #expect(s.medianMs == SalesCycleBruteForce.nearestRank(values, 50))
                #expect(s.p90Ms == SalesCycleBruteForce.nearestRank(values, 90))
            }
        }
        // Win rate and cycle lengths of the standing outcomes closed in the period.
        var won: [String: Int] = [:], lost: [String: Int] = [:]
        var lengths: [String: [(Int64, Bool)]] = [:]
        for o in opportunities where o.status != "open" && inPeriod(o.closedAt!) {
            let g = groupOf(grouping, o.ownerAtClose)
            if o.status == "won" { won[g, default: 0] += 1 } else { lost[g, default: 0] += 1 }
            lengths[g, default: []].append(((o.closedAt! - o.opened) / day, o.status == "won"))
        }
        let rates = try SalesCycleQueries.winRate(reader, from: from, to: to, grouping: grouping)
        #expect(rates.map(\.group) == Set(won.keys).union(lost.keys).sorted())
        for r in rates {
            #expect(r.won == (won[r.group] ?? 0) && r.lost == (lost[r.group] ?? 0))
            #expect(abs(r.rate - Double(r.won) / Double(r.won + r.lost)) < 1e-9)
        }
        let histograms = try SalesCycleQueries.cycleLengths(reader, from: from, to: to, bucketDays: 14, grouping: grouping)
        #expect(histograms.map(\.group) == lengths.keys.sorted())
        for h in histograms {
            let items = lengths[h.group] ?? []
            #expect(h.count == items.count)
            for bucket in h.buckets {
                #expect(bucket.won == items.filter { $0.1 && $0.0 >= bucket.fromDays && $0.0 < bucket.toDays }.count)
                #expect(bucket.lost == items.filter { !$0.1 && $0.0 >= bucket.fromDays && $0.0 < bucket.toDays }.count)
            }
            #expect(h.buckets.reduce(0) { $0 + $1.won + $1.lost } == items.count)
            #expect(h.medianDays == SalesCycleBruteForce.nearestRank(items.map(\.0), 50))
        }
    }

    /// Owners of the simulated company split into two made-up teams.
    static func teams(_ brute: SalesCycleBruteForce) -> [String: String] {
        var map: [String: String] = [:]
        for (index, owner) in Set(brute.opportunities.values.map(\.owner)).sorted().enumerated() where index % 3 != 2 {
            map[owner] = index % 3 == 0 ? "team-a" : "team-b"
        }
        return map
    }

    @Test("built incrementally over a simulated company, equals the brute force; rebuild reproduces it", arguments: [UInt64(11), 29, 47])
    func simulatedCompany(seed: UInt64) async throws {
        let log = try await CompanyLog(customers: 40, years: 2, seed: seed)
        let engine = try log.engine([SalesCycleProjector()], batchSize: 97)
        try engine.catchUp()
        let brute = SalesCycleBruteForce(events: try log.events())
        #expect(brute.opportunities.values.contains { $0.status == "won" } && brute.opportunities.values.contains { $0.status == "lost" })
        let teams = Self.teams(brute)
        try engine.read("salesCycle") { try Self.compare($0, brute, teams: teams) }
        try engine.rebuild("salesCycle")
        try engine.catchUp()
        #expect(try engine.status(of: "salesCycle").lastRebuild?.checksumsMatch == true)
        try engine.read("salesCycle") { try Self.compare($0, brute, teams: teams) }
    }

    @Test("as of a position (engine.asOf) equals the brute force over the truncated log")
    func asOf() async throws {
        let log = try await CompanyLog(customers: 30, years: 2, seed: 7)
        let engine = try log.engine([SalesCycleProjector()], batchSize: 97)
        try engine.catchUp()
        for position in [log.head / 3, log.head * 2 / 3] {
            let snapshot = try await engine.asOf("salesCycle", position: position)
            let brute = SalesCycleBruteForce(events: try log.events(through: position))
            try snapshot.read { try Self.compare($0, brute, teams: Self.teams(brute)) }
        }
    }

    static let stages = [SalesStage(name: "qualification", winProbability: 10), SalesStage(name: "proposal", winProbability: 40),
                         SalesStage(name: "negotiation", winProbability: 70)]

    static func opened(_ id: String, customer: String, at days: Double, kind: SalesCycleKind = .newBusiness, owner: String = "manager-1") -> OpportunityOpened {
        OpportunityOpened(opportunityId: id, customerId: customer, leadId: nil, title: id, processId: "P1", processVersion: 1, stages: stages,
                          allowsSkipping: true, stage: "qualification", cycleKind: kind, amount: CycleEventWriter.eur(1000),
                          expectedCloseDate: CycleEventWriter.date(days + 60), ownerId: owner, fields: [:], occurredAt: CycleEventWriter.date(days))
    }

    static func move(_ id: String, _ from: String, _ to: String, _ direction: StageMoveDirection, at days: Double, reason: String? = nil) -> OpportunityStageChanged {
        OpportunityStageChanged(opportunityId: id, fromStage: from, toStage: to, direction: direction, reason: reason, winProbability: 50,
                                occurredAt: CycleEventWriter.date(days))
    }

    @Test("hand-written: a move back with its reason, won then reopened then lost, and a merge")
    func edgeCases() async throws {
        let log = try CompanyLog(empty: ())
        let w = CycleEventWriter(log: log)
        let stream = "opportunity-O1"
        try await w.append(stream, [Self.opened("O1", customer: "C1", at: 0)], actor: "manager-1")
        try await w.append(stream, [Self.move("O1", "qualification", "proposal", .forward, at: 2)], actor: "manager-1")
        try await w.append(stream, [Self.move("O1", "proposal", "negotiation", .forward, at: 5)], actor: "manager-1")
        try await w.append(stream, [Self.move("O1", "negotiation", "proposal", .back, at: 7, reason: "budget cut")], actor: "manager-2")
        try await w.append(stream, [OpportunityOwnerChanged(opportunityId: "O1", ownerId: "manager-2", previousOwnerId: "manager-1",
                                                            occurredAt: CycleEventWriter.date(8))], actor: "admin")
        try await w.append(stream, [Self.move("O1", "proposal", "negotiation", .forward, at: 9)], actor: "manager-2", reason: "new budget approved")
        try await w.append(stream, [OpportunityWon(opportunityId: "O1", amount: CycleEventWriter.eur(900), productIds: ["P-1"], stage: "negotiation",
                                                   occurredAt: CycleEventWriter.date(10))], actor: "manager-2")
        try await w.append(stream, [OpportunityReopened(opportunityId: "O1", previousStatus: .won, reason: "contract not signed",
                                                        occurredAt: CycleEventWriter.date(12))], actor: "manager-2")
        // Dated before the reopening (non-monotonic business time): clamped to it.
        try await w.append(stream, [OpportunityLost(opportunityId: "O1", reason: "price", competitor: "Acme", stage: "negotiation",
                                                    occurredAt: CycleEventWriter.date(11))], actor: "manager-2")
        try await w.append("opportunity-O2", [Self.opened("O2", customer: "C2", at: 1, kind: .upSell, owner: "manager-3")], actor: "manager-3")
        try await w.append("opportunity-O2", [Self.move("O2", "qualification", "negotiation", .skip, at: 3)], actor: "manager-3")
        try await w.append("opportunity-O2", [OpportunityWon(opportunityId: "O2", amount: CycleEventWriter.eur(500), productIds: [], stage: "negotiation",
                                                             occurredAt: CycleEventWriter.date(4))], actor: "manager-3")
        try await w.merge(survivor: "C1", absorbed: "C2", at: 20)
        let engine = try log.engine([SalesCycleProjector()], batchSize: 2)
        try engine.catchUp()
        let brute = SalesCycleBruteForce(events: try log.events())
        try engine.read("salesCycle") { (reader: ReadModelReader) throws in
            try Self.compare(reader, brute, teams: ["manager-1": "north", "manager-2": "north"])
            let o1 = try #require(try SalesCycleQueries.opportunity(reader, "O1"))
            #expect(o1.visits.map(\.stage) == ["qualification", "proposal", "negotiation", "proposal", "negotiation", "negotiation"])
            #expect(o1.visits.map(\.entry) == [.opened, .forward, .forward, .back, .forward, .reopened])
            #expect(o1.visits.map(\.exit) == [.forward, .forward, .back, .forward, .won, .lost])
            let back = o1.visits[3]
            #expect(back.entryReason == "budget cut" && back.enteredBy == "manager-2" && o1.visits[2].exitReason == "budget cut")
            #expect(o1.visits[4].entryReason == "new budget approved")   // the envelope's reason when the event has none
            #expect(o1.reversals == 1 && o1.reopenings.map(\.reason) == ["contract not signed"])
            #expect(o1.outcomes.map(\.status) == [.won, .lost] && o1.outcomes.map(\.retracted) == [true, false])
            #expect(o1.outcome?.competitor == "Acme" && o1.outcome?.reason == "price")
            #expect(o1.closedAt == CycleEventWriter.ms(12) && o1.cycleDays == 12)   // the loss clamped to the reopening
            let all = (CycleEventWriter.ms(-1), CycleEventWriter.ms(30))
            // The retracted win does not count: O1 lost, O2 won.
            let rate = try SalesCycleQueries.winRate(reader, from: all.0, to: all.1)
            #expect(rate.first?.won == 1 && rate.first?.lost == 1)
            let byOwner = try SalesCycleQueries.winRate(reader, from: all.0, to: all.1, grouping: .owner)
            #expect(byOwner.map(\.group) == ["manager-2", "manager-3"])
            // Negotiation stays: 5→7 (2 d), 9→10 (1 d), 12→12 (0 d, lost at the reopening time), and O2's 3→4 (1 d).
            let times = try SalesCycleQueries.timeInStage(reader, from: all.0, to: all.1)
            let negotiation = try #require(times.first?.stages.first { $0.stage == "negotiation" })
            #expect(negotiation.count == 4 && negotiation.medianMs == Self.day && negotiation.p90Ms == 2 * Self.day)
            let byTeam = try SalesCycleQueries.timeInStage(reader, from: all.0, to: all.1, grouping: .team(["manager-1": "north", "manager-2": "north"]))
            #expect(byTeam.map(\.group) == ["north", "unassigned"])
            let conversion = try #require(try SalesCycleQueries.stageConversion(reader, from: all.0, to: all.1).first)
            #expect(conversion.moves.contains { $0.from == "negotiation" && $0.to == "proposal" && $0.count == 1 })
            #expect(conversion.moves.contains { $0.from == "negotiation" && $0.to == "won" && $0.count == 2 })
            #expect(conversion.entered.map(\.stage) == ["qualification", "proposal", "negotiation", "won"])
            // Of the two opened in qualification, one reached proposal, both negotiation, one is won.
            #expect(conversion.reach.first { $0.from == "qualification" && $0.to == "proposal" }?.share == 0.5)
            #expect(conversion.reach.first { $0.from == "qualification" && $0.to == "won" }?.count == 1)
            // The survivor's cycles include the absorbed customer's, in opening order.
            let c1 = try #require(try SalesCycleQueries.cycles(reader, customerId: "C1"))
            #expect(c1.cycles.map(\.opportunityId) == ["O1", "O2"] && c1.absorbed == ["C2"])
            #expect(c1.cycles.map(\.kind) == [.newBusiness, .upSell])
            #expect(try SalesCycleQueries.cycles(reader, customerId: "C2")?.mergedInto == "C1")
            let histogram = try #require(try SalesCycleQueries.cycleLengths(reader, from: all.0, to: all.1, bucketDays: 7).first)
            #expect(histogram.buckets.map(\.won) == [1, 0] && histogram.buckets.map(\.lost) == [0, 1])
        }
        // As of the win (before the reopening): O1 was won then.
        let wonAt = try log.events().first { $0.envelope.type == "OpportunityWon" }!.position
        let snapshot = try await engine.asOf("salesCycle", position: wonAt)
        try snapshot.read { (reader: ReadModelReader) throws in
            #expect(try SalesCycleQueries.opportunity(reader, "O1")?.status == .won)
            #expect(try SalesCycleQueries.winRate(reader, from: CycleEventWriter.ms(-1), to: CycleEventWriter.ms(30)).first?.won == 1)
        }
    }
}
