@testable import Domain
import EventStore
import Foundation
@testable import Projections
import Testing

/// Appends hand-written domain events with chosen business times, actors and reasons (raw
/// appends, so edge cases need no command setup).
struct CycleEventWriter {
    let log: CompanyLog
    /// 2024-01-01T00:00:00Z.
    static let origin: Int64 = 1_704_067_200_000
    static let day: Int64 = 86_400_000

    /// `days` (fractional) after the origin, as a `Date`.
    static func date(_ days: Double) -> Date { Date(timeIntervalSince1970: Double(origin) / 1000 + days * 86_400) }
    static func ms(_ days: Double) -> Int64 { origin + Int64((days * Double(day)).rounded()) }

    func append(_ stream: String, _ events: [any DomainEvent], actor: String = "manager-1", reason: String? = nil) async throws {
        let proposed = try events.map { try EventRegistry.domain.encode($0) }
        _ = try await log.store.append(stream, proposed, expected: .any,
                                       metadata: AppendMetadata(actor: Actor(id: actor, role: "manager"),
                                                                source: Source(clientAddress: "10.0.0.1", userAgent: "test", host: "test"),
                                                                reason: reason))
    }

    /// Both streams of a merge, atomically, as `MergeCustomers` writes them.
    func merge(survivor: String, absorbed: String, at days: Double) async throws {
        let date = Self.date(days)
        let metadata = AppendMetadata(actor: Actor(id: "manager-1", role: "manager"), source: Source(clientAddress: "10.0.0.1", userAgent: "test", host: "test"),
                                      reason: "duplicate review")
        _ = try await log.store.append([
            StreamAppend(stream: "customer-\(survivor)", expected: .any, events: [try EventRegistry.domain.encode(CustomerMerged(customerId: survivor, absorbedId: absorbed, reason: "duplicate", occurredAt: date))]),
            StreamAppend(stream: "customer-\(absorbed)", expected: .any, events: [try EventRegistry.domain.encode(CustomerAbsorbed(customerId: absorbed, survivorId: survivor, occurredAt: date))]),
        ], metadata: metadata)
    }

    static func eur(_ units: Int64) -> Money { try! Money(minorUnits: units * 100, currency: "EUR") }

    func register(_ id: String, at days: Double) async throws {
        try await append("customer-\(id)", [CustomerRegistered(customerId: id, kind: .organisation, name: id, organisation: id, email: nil, phone: nil,
                                                               address: nil, channel: .webForm, sourceCampaignId: nil, occurredAt: Self.date(days))])
    }

    func settle(_ id: String, invoice: String, euros: Int64, at days: Double) async throws {
        try await append("invoice-\(invoice)", [InvoiceSettled(invoiceId: invoice, customerId: id, total: Self.eur(euros), paid: Self.eur(euros),
                                                                wasOverdue: false, occurredAt: Self.date(days))], actor: "erp")
    }

    func overdue(_ id: String, invoice: String, at days: Double) async throws {
        try await append("invoice-\(invoice)", [InvoiceMarkedOverdue(invoiceId: invoice, customerId: id, outstanding: Self.eur(100),
                                                                      dueDate: Self.date(days - 1), daysOverdue: 1, occurredAt: Self.date(days))],
                         actor: "scheduler")
    }

    func complaint(_ id: String, case caseId: String, at days: Double) async throws {
        try await append("case-\(caseId)", [CaseOpened(caseId: caseId, customerId: id, channel: .call, category: .product, priority: .high,
                                                        isComplaint: true, subject: "broken", description: "broken",
                                                        firstResponseDueAt: Self.date(days + 1), resolutionDueAt: Self.date(days + 3),
                                                        occurredAt: Self.date(days))], actor: "agent-1")
    }

    func interaction(_ id: String, _ n: Int, at days: Double) async throws {
        try await append("customer-\(id)", [InteractionLogged(customerId: id, interactionId: "INT-\(id)-\(n)", channel: .call, direction: .outbound,
                                                              durationSeconds: 60, outcome: "reached", subject: nil, notes: nil, contactId: nil,
                                                              caseId: nil, opportunityId: nil, campaignId: nil, occurredAt: Self.date(days))])
    }
}

/// An independent recomputation of the state cycle from the raw events: every customer is
/// re-judged on every day boundary (no schedule), facts are plain lists, intervals a plain array.
struct StateCycleBruteForce {
    struct Customer {
        var id: String
        var mergedInto: String?
        var deactivated = false
        var reactivatedDay: Int64?
        var lastActivityDay: Int64
        var activity: [Int64] = []
        var paid: [(day: Int64, minor: Int64)] = []
        var lastPaidDay: Int64?
        var complaints: [Int64] = []
        var writeOffs: [Int64] = []
        var overdue: Set<String> = []
        var wonBackDay: Int64?
        var intervals: [StateInterval] = []
        var lastPosition: UInt64 = 0
        var lastType = ""
    }

    let rules: StateCycleRules
    var customers: [String: Customer] = [:]
    var clockTime: Int64?
    var clockDay: Int64?

    static let types: Set<String> = ["CustomerRegistered", "CustomerDeactivated", "CustomerReactivated", "CustomerMerged", "CustomerAbsorbed",
                                     "InteractionLogged", "OrderPlaced", "CaseOpened", "InvoiceSettled", "InvoiceMarkedOverdue", "InvoiceWrittenOff"]

    init(rules: StateCycleRules, events: [ProjectedEvent]) {
        self.rules = rules
        for event in events { apply(event) }
    }

    static func day(_ ms: Int64) -> Int64 { Int64((Double(ms) / 86_400_000).rounded(.down)) }

    func labels(_ c: Customer, on day: Int64) -> StateLabels {
        func within(_ d: Int64, _ days: Int) -> Bool { d <= day && d > day - Int64(days) }
        let n = Int64(rules.activityWindowDays)
        let recent = c.activity.filter { within($0, rules.activityWindowDays) }.count
        let before = c.activity.filter { $0 <= day - n && $0 > day - 2 * n }.count
        let falling = before >= rules.minimumPreviousActivity && Double(recent) < Double(before) * Double(rules.activityDropPercent) / 100
        var points = 0
        if c.overdue.count >= rules.overdueInvoicesForTwoPoints { points += 2 } else if c.overdue.count == 1 { points += 1 }
        if c.writeOffs.contains(where: { within($0, rules.writeOffWindowDays) }) { points += 2 }
        let complaints = c.complaints.filter { within($0, rules.complaintWindowDays) }.count
        if complaints >= rules.complaintsForTwoPoints { points += 2 } else if complaints >= 1 { points += 1 }
        if falling { points += 1 }
        let risk: RiskGrade = points >= rules.highRiskPoints ? .high : points == 0 ? .low : .medium
        var r = 0, f = 0, m = 0
        var value = ValueGrade.none
        if let last = c.lastPaidDay {
            let age = day - last
            r = 1
            for (index, limit) in rules.recencyDays.enumerated().reversed() where age < Int64(limit) { r = 5 - index }
            let window = c.paid.filter { within($0.day, rules.rfmWindowDays) }
            let total = window.reduce(Int64(0)) { $0 + $1.minor }
            f = 1
            for threshold in rules.frequencyCounts where window.count >= threshold { f += 1 }
            m = 1
            for threshold in rules.monetaryMinorUnits where total >= threshold { m += 1 }
            let sum = r + f + m
            let g = rules.valueGradeMinimums
            value = sum >= g[0] ? .a : sum >= g[1] ? .b : sum >= g[2] ? .c : .d
        }
        var state: LifecycleState
        if c.mergedInto != nil {
            state = .merged
        } else if c.deactivated {
            state = c.lastPaidDay != nil ? .churned : .inactive
        } else if c.lastPaidDay == nil {
            state = day >= c.lastActivityDay + Int64(rules.prospectInactiveAfterDays) ? .inactive : .prospect
        } else {
            let clockStart = max(c.lastPaidDay!, c.reactivatedDay ?? .min)
            if day >= clockStart + Int64(rules.churnAfterDays) {
                state = .churned
            } else if risk == .high || falling {
                state = .atRisk
            } else {
                state = .active
            }
        }
        return StateLabels(state: state, risk: risk, value: value, recency: r, frequency: f, monetary: m)
    }

    /// Re-judges `id` at `time` and records a change.
    mutating func judge(_ id: String, at time: Int64, cause: StateChangeCause) {
        var c = customers[id]!
        let day = Self.day(time)
        var next = labels(c, on: day)
        if [.active, .atRisk].contains(next.state) {
            if c.intervals.last?.labels.state == .churned {
                c.wonBackDay = day
                next.state = .wonBack
            } else if let w = c.wonBackDay, day < w + Int64(rules.wonBackDays) {
                next.state = .wonBack
            }
        }
        if c.intervals.isEmpty {
            c.intervals.append(StateInterval(customerId: id, from: time, to: nil, labels: next, cause: cause))
        } else if c.intervals.last!.labels != next {
            let last = c.intervals.count - 1
            if c.intervals[last].from == time {
                if last > 0, c.intervals[last - 1].labels == next {
                    c.intervals.removeLast()
                    c.intervals[last - 1].to = nil
                } else {
                    c.intervals[last] = StateInterval(customerId: id, from: time, to: nil, labels: next, cause: cause)
                }
            } else {
                c.intervals[last].to = time
                c.intervals.append(StateInterval(customerId: id, from: time, to: nil, labels: next, cause: cause))
            }
        }
        customers[id] = c
    }

    /// Every day boundary after the last processed day up to `day`: every customer re-judged.
    mutating func advance(toDay day: Int64) {
        guard let last = clockDay else { clockDay = day; return }
        guard last < day else { return }
        for d in (last + 1)...day {
            for id in customers.keys.sorted() where customers[id]!.mergedInto == nil {
                let c = customers[id]!
                judge(id, at: d * 86_400_000, cause: StateChangeCause(position: c.lastPosition, eventType: c.lastType, timeDriven: true))
            }
        }
        clockDay = day
    }

    mutating func touch(_ raw: String, redirect: Bool = true, _ event: ProjectedEvent, day: Int64, time: Int64, _ change: (inout Customer) -> Void) {
        var id = raw
        while redirect, let next = customers[id]?.mergedInto { id = next }
        var c = customers[id] ?? Customer(id: id, lastActivityDay: day)
        change(&c)
        c.lastPosition = event.position
        c.lastType = event.envelope.type
        customers[id] = c
        judge(id, at: time, cause: StateChangeCause(position: event.position, eventType: event.envelope.type, timeDriven: false))
    }

    mutating func apply(_ event: ProjectedEvent) {
        guard Self.types.contains(event.envelope.type), let payload = event.payload else { return }
        let occurred = Int64((payload.occurredAt.timeIntervalSince1970 * 1000).rounded())
        let time = max(occurred, clockTime ?? occurred)
        clockTime = time
        let day = Self.day(time)
        advance(toDay: day)
        switch payload {
        case let e as CustomerRegistered: touch(e.customerId, event, day: day, time: time) { $0.lastActivityDay = max($0.lastActivityDay, day) }
        case let e as CustomerDeactivated: touch(e.customerId, event, day: day, time: time) { $0.deactivated = true }
        case let e as CustomerReactivated:
            touch(e.customerId, event, day: day, time: time) {
                $0.deactivated = false
                $0.reactivatedDay = day
                $0.lastActivityDay = max($0.lastActivityDay, day)
            }
        case let e as InteractionLogged:
            touch(e.customerId, event, day: day, time: time) { $0.activity.append(day); $0.lastActivityDay = max($0.lastActivityDay, day) }
        case let e as OrderPlaced:
            touch(e.customerId, event, day: day, time: time) { $0.activity.append(day); $0.lastActivityDay = max($0.lastActivityDay, day) }
        case let e as CaseOpened:
            touch(e.customerId, event, day: day, time: time) {
                $0.lastActivityDay = max($0.lastActivityDay, day)
                if e.isComplaint { $0.complaints.append(day) }
            }
        case let e as InvoiceSettled:
            let minor = e.total.currency == rules.currency ? e.total.minorUnits : 0
            touch(e.customerId, event, day: day, time: time) {
                $0.paid.append((day, minor))
                $0.lastPaidDay = max($0.lastPaidDay ?? day, day)
                $0.lastActivityDay = max($0.lastActivityDay, day)
                $0.overdue.remove(e.invoiceId)
            }
        case let e as InvoiceMarkedOverdue: touch(e.customerId, event, day: day, time: time) { $0.overdue.insert(e.invoiceId) }
        case let e as InvoiceWrittenOff:
            touch(e.customerId, event, day: day, time: time) { $0.overdue.remove(e.invoiceId); $0.writeOffs.append(day) }
        case let e as CustomerMerged:
            let absorbed = customers[e.absorbedId]
            touch(e.customerId, redirect: false, event, day: day, time: time) { s in
                guard let a = absorbed, a.mergedInto == nil || a.mergedInto == e.customerId else { return }
                s.activity += a.activity
                s.complaints += a.complaints
                s.writeOffs += a.writeOffs
                s.paid += a.paid
                s.overdue.formUnion(a.overdue)
                if let p = a.lastPaidDay { s.lastPaidDay = max(s.lastPaidDay ?? p, p) }
                s.lastActivityDay = max(s.lastActivityDay, a.lastActivityDay)
            }
        case let e as CustomerAbsorbed: touch(e.customerId, redirect: false, event, day: day, time: time) { $0.mergedInto = e.survivorId }
        default: break
        }
    }

    /// The interval of `id` holding `time`.
    func interval(_ id: String, at time: Int64) -> StateInterval? {
        customers[id]?.intervals.last { $0.from <= time && ($0.to.map { time < $0 } ?? true) }
    }
}

@Suite("Customer state cycle")
struct StateCycleTests {
    static let day: Int64 = 86_400_000

    static func histories(_ reader: ReadModelReader, _ ids: [String]) throws -> [String: [StateInterval]] {
        var out: [String: [StateInterval]] = [:]
        for id in ids {
            // Page through with a small limit to exercise the cursor.
            var cursor: String?
            var all: [StateInterval] = []
            repeat {
                let page = try StateCycleQueries.history(reader, customerId: id, after: cursor, limit: 3)
                all += page.intervals
                cursor = page.next
            } while cursor != nil
            out[id] = all
        }
        return out
    }

    /// Every history, as-of answers, label lists and transition reports agree with the brute force.
    static func compare(_ reader: ReadModelReader, _ brute: StateCycleBruteForce) throws {
        let ids = brute.customers.keys.sorted()
        let histories = try histories(reader, ids)
        for id in ids {
            #expect(histories[id] == brute.customers[id]!.intervals, "history of \(id)")
        }
        // Every stored interval belongs to a known customer; the rest are changes not fired yet.
        let unfired = try StateCycleQueries.unfiredChanges(reader).count
        #expect(try reader.count(StateCycleProjector.history) + unfired == brute.customers.values.reduce(0) { $0 + $1.intervals.count })
        guard let end = brute.clockTime, let start = brute.customers.values.compactMap({ $0.intervals.first?.from }).min() else { return }
        // As of past times, from the history.
        let samples = (0..<9).map { start + (end - start) * Int64($0) / 8 }
        for time in samples {
            for id in ids {
                let answer = try StateCycleQueries.state(reader, customerId: id, at: time)
                #expect(answer?.interval == brute.interval(id, at: time), "\(id) at \(time)")
            }
            for filter in [StateCycleFilter.state(.active), .state(.churned), .state(.atRisk), .state(.prospect), .risk(.high), .risk(.medium), .value(.a), .value(.c)] {
                let expected = ids.filter { brute.interval($0, at: time).map { filter.matches($0.labels) } ?? false }
                var got: [String] = []
                var cursor: String?
                repeat {
                    let page = try StateCycleQueries.customers(reader, filter, at: time, after: cursor, limit: 7)
                    got += page.customerIds
                    #expect(page.total == expected.count)
                    cursor = page.next
                } while cursor != nil
                #expect(got == expected, "\(filter) at \(time)")
            }
        }
        // Beyond the processed time: pending time-driven changes are projected.
        var future = brute
        for offset in [Int64(40), 200, 420] {
            let time = end + offset * day + 3_600_000
            future.advance(toDay: StateCycleBruteForce.day(time))
            for id in ids {
                let answer = try StateCycleQueries.state(reader, customerId: id, at: time)
                #expect(answer?.interval == future.interval(id, at: time), "\(id) projected at +\(offset)d")
            }
            for filter in [StateCycleFilter.state(.churned), .state(.active), .value(.d)] {
                let expected = ids.filter { future.interval($0, at: time).map { filter.matches($0.labels) } ?? false }
                #expect(try StateCycleQueries.customers(reader, filter, at: time, limit: 10_000).customerIds == expected)
            }
        }
        // Transitions over periods, from consecutive brute-force intervals.
        let periods = [(start, end + 1), (start, start + (end - start) / 2), (start + (end - start) / 3, end - (end - start) / 5)]
        for (from, to) in periods {
            var states: [String: Int] = [:]
            var upgrades = 0, downgrades = 0, registered = 0, lost = 0, newCustomers = 0, wonBack = 0, merged = 0, rises = 0, falls = 0
            for c in brute.customers.values {
                for (index, interval) in c.intervals.enumerated() where interval.from >= from && interval.from < to {
                    guard index > 0 else {
                        registered += 1
                        if interval.labels.state == .merged { merged += 1 }
                        continue
                    }
                    let a = c.intervals[index - 1].labels, b = interval.labels
                    if a.state != b.state {
                        states["\(a.state.rawValue)>\(b.state.rawValue)", default: 0] += 1
                        if b.state == .churned { lost += 1 }
                        if b.state == .merged { merged += 1 }
                        if a.state == .churned && b.state == .wonBack { wonBack += 1 }
                        if [.prospect, .inactive].contains(a.state) && [.active, .atRisk].contains(b.state) { newCustomers += 1 }
                    }
                    if a.value.rank < b.value.rank { upgrades += 1 }
                    if a.value.rank > b.value.rank { downgrades += 1 }
                    if a.risk.rank < b.risk.rank { rises += 1 }
                    if a.risk.rank > b.risk.rank { falls += 1 }
                }
            }
            let report = try StateCycleQueries.transitions(reader, from: from, to: to)
            var got: [String: Int] = [:]
            for cell in report.states { got["\(cell.from)>\(cell.to)"] = cell.count }
            #expect(got == states)
            #expect(report.valueUpgrades == upgrades && report.valueDowngrades == downgrades)
            #expect(report.riskRises == rises && report.riskFalls == falls)
            #expect(report.registered == registered && report.lost == lost && report.newCustomers == newCustomers)
            #expect(report.wonBack == wonBack && report.merged == merged)
        }
    }

    static let otherRules = StateCycleRules(version: 2, churnAfterDays: 150, wonBackDays: 30, prospectInactiveAfterDays: 60, activityWindowDays: 45,
                                            activityDropPercent: 70, minimumPreviousActivity: 2, complaintWindowDays: 120, highRiskPoints: 2,
                                            rfmWindowDays: 180, recencyDays: [14, 45, 90, 150], frequencyCounts: [1, 2, 3, 6],
                                            valueGradeMinimums: [12, 9, 6])

    @Test("built incrementally over a simulated company, equals the brute force; rebuild reproduces it", arguments: [UInt64(11), 29, 47])
    func simulatedCompany(seed: UInt64) async throws {
        let log = try await CompanyLog(customers: 40, years: 2, seed: seed)
        let engine = try log.engine([StateCycleProjector()], batchSize: 97)
        try engine.catchUp()
        let events = try log.events()
        let brute = StateCycleBruteForce(rules: .standard, events: events)
        // The company must exercise the rules, or the comparison proves little.
        let states = Set(brute.customers.values.flatMap { $0.intervals.map(\.labels.state) })
        #expect(states.isSuperset(of: [.prospect, .active, .churned, .merged]))
        #expect(brute.customers.values.contains { $0.intervals.contains { $0.cause.timeDriven } })
        try engine.read("stateCycle") { (reader: ReadModelReader) throws in
            #expect(reader.position == log.head)
            try Self.compare(reader, brute)
        }
        try engine.rebuild("stateCycle")
        try engine.catchUp()
        #expect(try engine.status(of: "stateCycle").lastRebuild?.checksumsMatch == true)
        try engine.read("stateCycle") { try Self.compare($0, brute) }
    }

    @Test("firing one customer per event leaves due days behind; histories, as-of answers and reports still equal the brute force")
    func firingSpreadOverEvents() async throws {
        let log = try await CompanyLog(customers: 60, years: 2, seed: 23)
        let engine = try log.engine([StateCycleProjector(rules: .standard, name: "stateCycle", firesPerEvent: 1)], batchSize: 97)
        try engine.catchUp()
        try engine.read("stateCycle") { try Self.compare($0, StateCycleBruteForce(rules: .standard, events: try log.events())) }
        // As of positions along the log: wherever days were left behind, the answers must not show it.
        var behind = 0
        for step in 1...6 {
            let position = log.head * UInt64(step) / 7
            let snapshot = try await engine.asOf("stateCycle", position: position)
            try snapshot.read { (reader: ReadModelReader) throws in
                let clock = try #require(try reader.get(StateCycleProjector.clock, StateCycleProjector.clockKey))
                if clock.fired != nil, try !StateCycleQueries.unfiredChanges(reader).isEmpty { behind += 1 }
                try Self.compare(reader, StateCycleBruteForce(rules: .standard, events: try log.events(through: position)))
            }
        }
        #expect(behind >= 2, "only \(behind) of 6 positions had changes not fired yet: the test would prove little")
    }

    @Test("as of a position equals the brute force over the truncated log; other rules replay the whole history")
    func asOfAndOtherRules() async throws {
        let log = try await CompanyLog(customers: 30, years: 2, seed: 5)
        let engine = try log.engine([StateCycleProjector()], batchSize: 97)
        try engine.catchUp()
        let middle = log.head * 3 / 5
        let snapshot = try await engine.asOf("stateCycle", position: middle)
        try snapshot.read { try Self.compare($0, StateCycleBruteForce(rules: .standard, events: try log.events(through: middle))) }

        let other = Self.otherRules
        #expect(StateCycleProjector(rules: other).version != StateCycleProjector().version)
        let scratch = try await engine.replay(StateCycleProjector(rules: other), as: "strict-rules")
        let events = try log.events()
        let strict = StateCycleBruteForce(rules: other, events: events)
        let standard = StateCycleBruteForce(rules: .standard, events: events)
        try scratch.read { (reader: ReadModelReader) throws in
            #expect(try StateCycleQueries.rules(reader) == other)
            try Self.compare(reader, strict)
        }
        // The rules matter: the two histories differ, and the live model kept the standard one.
        #expect(strict.customers.mapValues(\.intervals) != standard.customers.mapValues(\.intervals))
        try engine.read("stateCycle") { try Self.compare($0, standard) }
    }

    /// One customer through the whole cycle, with hand-derived expectations.
    @Test("hand-written cycle: active, at risk, churned, won back, time-driven churn at the due day")
    func handWrittenCycle() async throws {
        let log = try CompanyLog(empty: ())
        let w = CycleEventWriter(log: log)
        try await w.register("C1", at: 0.5)
        try await w.register("C9", at: 0.6)
        try await w.settle("C1", invoice: "I1", euros: 500, at: 10.5)          // active, value d/c
        try await w.overdue("C1", invoice: "I2", at: 20.5)                     // risk medium
        try await w.overdue("C1", invoice: "I3", at: 21.5)                     // two overdue: 2 points
        try await w.complaint("C1", case: "K1", at: 22.5)                      // 3 points: high → atRisk
        try await w.append("customer-C1", [CustomerDeactivated(customerId: "C1", reason: "left", occurredAt: CycleEventWriter.date(30.5))])
        try await w.append("customer-C1", [CustomerReactivated(customerId: "C1", reason: "back", occurredAt: CycleEventWriter.date(40.5))])
        try await w.settle("C1", invoice: "I2", euros: 100, at: 41.5)
        try await w.settle("C1", invoice: "I3", euros: 100, at: 41.6)
        // An event dated in the past (non-monotonic business time) is clamped to the clock.
        try await w.interaction("C9", 1, at: 35)
        // Much later, another customer's event moves the clock past C1's due days.
        try await w.interaction("C9", 2, at: 600.25)
        let engine = try log.engine([StateCycleProjector()], batchSize: 3)
        try engine.catchUp()
        let brute = StateCycleBruteForce(rules: .standard, events: try log.events())
        try engine.read("stateCycle") { (reader: ReadModelReader) throws in
            try Self.compare(reader, brute)
            let history = try StateCycleQueries.history(reader, customerId: "C1", limit: 1000).intervals
            let states = history.map(\.labels.state)
            // Consecutive duplicates removed: the path of lifecycle states.
            let path = states.enumerated().filter { $0.offset == 0 || states[$0.offset - 1] != $0.element }.map(\.element)
            #expect(path == [.prospect, .active, .atRisk, .churned, .wonBack, .active, .churned])
            // Back from churned by the reactivation, at its time.
            let wonBack = history.first { $0.labels.state == .wonBack }!
            #expect(wonBack.from == CycleEventWriter.ms(40.5))
            #expect(wonBack.cause.eventType == "CustomerReactivated" && !wonBack.cause.timeDriven)
            // Churn falls due 365 days after the last paid order (day 41), at 00:00 UTC, caused by time.
            let churn = history.last!
            #expect(churn.labels.state == .churned && churn.to == nil)
            #expect(churn.from == CycleEventWriter.origin + (41 + 365) * Self.day)
            #expect(churn.cause.timeDriven && churn.cause.eventType == "InvoiceSettled")
            // Every interval after the first starts where the previous ended.
            for (a, b) in zip(history, history.dropFirst()) { #expect(a.to == b.from) }
            // The clamped interaction counts at the clock's time, not its own.
            let c9 = try StateCycleQueries.history(reader, customerId: "C9", limit: 100).intervals
            #expect(c9.first?.labels.state == .prospect)
            // As of a time inside a closed interval, from the history.
            let asOf = try StateCycleQueries.state(reader, customerId: "C1", at: CycleEventWriter.ms(25))
            #expect(asOf?.interval.labels.state == .atRisk && asOf?.projected == false)
        }
    }

    @Test("merge: the absorbed history ends merged, the survivor takes over its purchases and later payments")
    func merge() async throws {
        let log = try CompanyLog(empty: ())
        let w = CycleEventWriter(log: log)
        try await w.register("S", at: 1.5)
        try await w.register("D", at: 2.5)
        try await w.settle("D", invoice: "I1", euros: 30_000, at: 3.5)   // the duplicate paid
        try await w.overdue("D", invoice: "I2", at: 4.5)
        try await w.merge(survivor: "S", absorbed: "D", at: 5.5)
        try await w.settle("D", invoice: "I2", euros: 50, at: 6.5)       // paid on the absorbed id later
        try await w.interaction("D", 1, at: 7.5)
        let engine = try log.engine([StateCycleProjector()], batchSize: 2)
        try engine.catchUp()
        let brute = StateCycleBruteForce(rules: .standard, events: try log.events())
        try engine.read("stateCycle") { (reader: ReadModelReader) throws in
            try Self.compare(reader, brute)
            let d = try StateCycleQueries.history(reader, customerId: "D", limit: 100).intervals
            #expect(d.last?.labels.state == .merged && d.last?.to == nil && d.last?.from == CycleEventWriter.ms(5.5))
            // prospect, active (paid), active with arrears, merged: nothing after the merge.
            #expect(d.map(\.labels.state) == [.prospect, .active, .active, .merged])
            let s = try StateCycleQueries.history(reader, customerId: "S", limit: 100).intervals
            // The survivor becomes active at the merge with the duplicate's purchase and arrears...
            let atMerge = s.first { $0.from == CycleEventWriter.ms(5.5) }
            #expect(atMerge?.labels.state == .active && atMerge?.labels.risk == .medium && atMerge?.cause.eventType == "CustomerMerged")
            // ...and the later payment on the absorbed id clears the arrears on the survivor.
            let afterPayment = try StateCycleQueries.state(reader, customerId: "S", at: CycleEventWriter.ms(6.6))
            #expect(afterPayment?.interval.labels.risk == .low)
            #expect(afterPayment?.interval.labels.frequency == 2)
            let merged = try StateCycleQueries.customers(reader, .state(.merged), at: CycleEventWriter.ms(8))
            #expect(merged.customerIds == ["D"])
            let report = try StateCycleQueries.transitions(reader, from: CycleEventWriter.ms(0), to: CycleEventWriter.ms(10))
            #expect(report.merged == 1 && report.registered == 2 && report.newCustomers == 2)
        }
    }

    @Test("two changes at the same instant: the interval is replaced, or removed when it returns to the labels before")
    func sameInstant() async throws {
        let log = try CompanyLog(empty: ())
        let w = CycleEventWriter(log: log)
        try await w.register("C1", at: 0.5)
        try await w.settle("C1", invoice: "I1", euros: 100, at: 1.5)
        try await w.overdue("C1", invoice: "I2", at: 2.5)                  // risk medium at 2.5
        try await w.settle("C1", invoice: "I2", euros: 100, at: 2.5)        // same instant: low again, but F changed: replaced
        try await w.overdue("C1", invoice: "I3", at: 3.5)                  // medium at 3.5…
        try await w.settle("C1", invoice: "I3", euros: 100, at: 3.5)        // …and back to the labels before: removed
        try await w.overdue("C1", invoice: "I4", at: 4.5)
        try await w.overdue("C1", invoice: "I5", at: 4.6)                  // two overdue: 2 points, medium
        try await w.append("invoice-I4", [InvoiceWrittenOff(invoiceId: "I4", customerId: "C1", amount: CycleEventWriter.eur(100), reason: "gone",
                                                             occurredAt: CycleEventWriter.date(5.5))], actor: "admin")
        // Two and three paid orders score the same frequency here, so the settlement at 3.5 returns
        // exactly to the labels before the overdue mark.
        let rules = StateCycleRules(frequencyCounts: [2, 4, 8, 16])
        let engine = try log.engine([StateCycleProjector(rules: rules)], batchSize: 1)
        try engine.catchUp()
        let brute = StateCycleBruteForce(rules: rules, events: try log.events())
        try engine.read("stateCycle") { (reader: ReadModelReader) throws in
            try Self.compare(reader, brute)
            let history = try StateCycleQueries.history(reader, customerId: "C1", limit: 100).intervals
            #expect(Set(history.map(\.from)).count == history.count)
            #expect(!history.contains { $0.to == $0.from })
            for (a, b) in zip(history, history.dropFirst()) { #expect(a.labels != b.labels) }
            let replaced = history.first { $0.from == CycleEventWriter.ms(2.5) }
            #expect(replaced?.cause.eventType == "InvoiceSettled" && replaced?.labels.risk == .low && replaced?.labels.frequency == 2)
            #expect(!history.contains { $0.from == CycleEventWriter.ms(3.5) })
            // Written off: one overdue left (1) + a write-off (2) = high, at risk.
            #expect(history.last?.labels.risk == .high && history.last?.labels.state == .atRisk && history.last?.cause.eventType == "InvoiceWrittenOff")
        }
    }
}
