import Domain
import EventStore
import Foundation
import Projections
import Testing

/// The cubes recomputed from scratch, independently of the projector: a sequential fold of the
/// raw events into each entity's final state (merges found by searching every entity, not by
/// lists), expanded into facts with their dimensions by name, grouped with dictionaries, and time
/// labels from Foundation's ISO 8601 calendar.
struct CubeBruteForce {
    struct Fact {
        var cube: CubeKind
        var day: Int64
        var dims: [CubeDimension: String]
        var measures: [String: Int64]
    }

    struct Dims {
        var manager = "", team = "", region = "", segment = "", channel = "", campaign = ""
    }

    final class Customer {
        var dims = Dims()
        var active = true
        var registeredDay: Int64
        var changes: [(day: Int64, active: Bool)] = []
        var mergedDays: [Int64] = []
        var survivor: String?
        init(registeredDay: Int64) { self.registeredDay = registeredDay }
    }

    struct Order { var customer: String; var dims: Dims; var day: Int64; var currency: String; var lines: [(String, Int64, Int64)]; var cancelled: Int64?; var credit: String? }
    struct Payment { var customer: String; var dims: Dims; var day: Int64; var amount: Int64; var currency: String }
    struct Outcome { var won: Bool; var day: Int64; var amount: Int64; var currency: String; var stage: String; var cycle: Int64 }
    struct Opportunity {
        var customer: String; var dims: Dims; var openedMs: Int64; var openedDay: Int64; var openingStage: String; var stage: String
        var amount: Int64; var currency: String; var outcome: Outcome?; var credit: String?
    }
    struct Step { var day: Int64; var minutes: Int64; var breached: Bool }
    struct Case { var customer: String; var dims: Dims; var opened: Int64; var complaint: Bool; var response: Step?; var resolution: Step?; var closed: Int64? }
    struct Survey { var customer: String; var dims: Dims; var day: Int64; var csat: Int64; var nps: Int64 }

    var teams: [String: String] = [:]
    var customers: [String: Customer] = [:]
    var customerTeam: [String: String] = [:]
    var orders: [String: Order] = [:]
    var payments: [String: Payment] = [:]
    var opportunities: [String: Opportunity] = [:]
    var cases: [String: Case] = [:]
    var surveys: [String: Survey] = [:]

    static func day(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 / 86_400).rounded(.down)) }
    static func ms(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    func resolve(_ id: String) -> String {
        var id = id
        while let next = customers[id]?.survivor { id = next }
        return id
    }

    func dims(of id: String) -> Dims {
        guard let customer = customers[resolve(id)] else { return Dims() }
        var dims = customer.dims
        dims.team = teams[dims.manager] ?? ""
        return dims
    }

    init(_ events: [ProjectedEvent]) {
        for event in events {
            guard let payload = event.payload else { continue }
            let day = Self.day(payload.occurredAt)
            switch payload {
            case let e as TeamMemberAssigned: teams[e.managerId] = e.teamId
            case let e as CustomerRegistered:
                let customer = Customer(registeredDay: day)
                customer.dims.channel = e.channel.rawValue
                customer.dims.campaign = e.sourceCampaignId ?? ""
                customers[e.customerId] = customer
            case let e as CustomerClassified:
                customers[e.customerId]?.dims.region = e.classification.region
                customers[e.customerId]?.dims.segment = e.classification.segment
            case let e as CustomerManagerAssigned: customers[e.customerId]?.dims.manager = e.managerId
            case let e as CustomerDeactivated:
                customers[e.customerId]?.active = false
                customers[e.customerId]?.changes.append((day, false))
            case let e as CustomerReactivated:
                customers[e.customerId]?.active = true
                customers[e.customerId]?.changes.append((day, true))
            case let e as CustomerMerged: customers[e.customerId]?.mergedDays.append(day)
            case let e as CustomerAbsorbed:
                customers[e.customerId]?.survivor = e.survivorId
                let survivor = resolve(e.survivorId)
                let to = dims(of: survivor)
                for (id, var o) in orders where o.customer == e.customerId {
                    o.customer = survivor; o.dims = to; if let c = o.credit { o.dims.campaign = c }; orders[id] = o
                }
                for (id, var p) in payments where p.customer == e.customerId { p.customer = survivor; p.dims = to; payments[id] = p }
                for (id, var o) in opportunities where o.customer == e.customerId {
                    let (manager, team) = (o.dims.manager, o.dims.team)
                    o.customer = survivor; o.dims = to; o.dims.manager = manager; o.dims.team = team
                    if let c = o.credit { o.dims.campaign = c }
                    opportunities[id] = o
                }
                for (id, var c) in cases where c.customer == e.customerId {
                    let channel = c.dims.channel
                    c.customer = survivor; c.dims = to; c.dims.channel = channel; cases[id] = c
                }
                for (id, var s) in surveys where s.customer == e.customerId {
                    let channel = s.dims.channel
                    s.customer = survivor; s.dims = to; s.dims.channel = channel; surveys[id] = s
                }
            case let e as OrderPlaced:
                orders[e.orderId] = Order(customer: resolve(e.customerId), dims: dims(of: e.customerId), day: day, currency: e.total.currency,
                                          lines: e.lines.map { ($0.productId, Int64($0.quantity), $0.lineTotal.minorUnits) })
            case let e as OrderCancelled: orders[e.orderId]?.cancelled = day
            case let e as InvoicePaymentReceived:
                payments[e.invoiceId + "/" + e.paymentId] = Payment(customer: resolve(e.customerId), dims: dims(of: e.customerId), day: day,
                                                                    amount: e.amount.minorUnits, currency: e.amount.currency)
            case let e as OpportunityOpened:
                var d = dims(of: e.customerId)
                d.manager = e.ownerId
                d.team = teams[e.ownerId] ?? ""
                opportunities[e.opportunityId] = Opportunity(customer: resolve(e.customerId), dims: d, openedMs: Self.ms(e.occurredAt), openedDay: day,
                                                             openingStage: e.stage, stage: e.stage, amount: e.amount.minorUnits, currency: e.amount.currency)
            case let e as OpportunityStageChanged: opportunities[e.opportunityId]?.stage = e.toStage
            case let e as OpportunityAmountChanged:
                opportunities[e.opportunityId]?.amount = e.newAmount.minorUnits
                opportunities[e.opportunityId]?.currency = e.newAmount.currency
            case let e as OpportunityOwnerChanged:
                opportunities[e.opportunityId]?.dims.manager = e.ownerId
                opportunities[e.opportunityId]?.dims.team = teams[e.ownerId] ?? ""
            case let e as OpportunityWon:
                if let o = opportunities[e.opportunityId] {
                    opportunities[e.opportunityId]?.outcome = Outcome(won: true, day: day, amount: e.amount.minorUnits, currency: e.amount.currency,
                                                                      stage: e.stage, cycle: (Self.ms(e.occurredAt) - o.openedMs) / 86_400_000)
                }
            case let e as OpportunityLost:
                if let o = opportunities[e.opportunityId] {
                    opportunities[e.opportunityId]?.outcome = Outcome(won: false, day: day, amount: o.amount, currency: o.currency,
                                                                      stage: e.stage, cycle: (Self.ms(e.occurredAt) - o.openedMs) / 86_400_000)
                }
            case let e as OpportunityReopened: opportunities[e.opportunityId]?.outcome = nil
            case let e as CaseOpened:
                var d = dims(of: e.customerId)
                d.channel = e.channel.rawValue
                cases[e.caseId] = Case(customer: resolve(e.customerId), dims: d, opened: day, complaint: e.isComplaint)
            case let e as CaseFirstResponded: cases[e.caseId]?.response = Step(day: day, minutes: Int64(e.minutesToRespond), breached: e.breached)
            case let e as CaseResolved: cases[e.caseId]?.resolution = Step(day: day, minutes: Int64(e.minutesToResolve), breached: e.breached)
            case let e as CaseReopened:
                cases[e.caseId]?.resolution = nil
                cases[e.caseId]?.closed = nil
            case let e as CaseClosed: cases[e.caseId]?.closed = day
            case let e as SurveyAnswered:
                var d = dims(of: e.customerId)
                d.channel = e.caseId.flatMap { cases[$0]?.dims.channel } ?? ""
                surveys[e.surveyId] = Survey(customer: resolve(e.customerId), dims: d, day: day, csat: Int64(e.csat), nps: Int64(e.nps))
            case let e as CampaignMemberConverted:
                if let id = e.orderId, orders[id] != nil { orders[id]?.credit = e.campaignId; orders[id]?.dims.campaign = e.campaignId }
                if let id = e.opportunityId, opportunities[id] != nil {
                    opportunities[id]?.credit = e.campaignId; opportunities[id]?.dims.campaign = e.campaignId
                }
            default: break
            }
            // The customer cube files customers under their manager's team as known at their last event.
            if let id = (payload as? CustomerRegistered)?.customerId ?? (payload as? CustomerClassified)?.customerId
                ?? (payload as? CustomerManagerAssigned)?.customerId ?? (payload as? CustomerDeactivated)?.customerId
                ?? (payload as? CustomerReactivated)?.customerId ?? (payload as? CustomerMerged)?.customerId
                ?? (payload as? CustomerAbsorbed)?.customerId, let customer = customers[id] {
                customerTeam[id] = teams[customer.dims.manager] ?? ""
            }
        }
    }

    static func named(_ d: Dims, _ extra: [CubeDimension: String] = [:]) -> [CubeDimension: String] {
        var out: [CubeDimension: String] = [.manager: d.manager, .team: d.team, .region: d.region, .segment: d.segment, .channel: d.channel, .campaign: d.campaign]
        out.merge(extra) { $1 }
        return out
    }

    /// Every fact with its day, named dimensions and measures.
    var facts: [Fact] {
        var out: [Fact] = []
        for o in orders.values {
            for (i, line) in o.lines.enumerated() {
                out.append(Fact(cube: .revenue, day: o.day, dims: Self.named(o.dims, [.product: line.0]),
                                measures: ["ordersPlaced": i == 0 ? 1 : 0, "orderLines": 1, "unitsOrdered": line.1, "ordersPlacedAmount.\(o.currency)": line.2]))
                if let c = o.cancelled {
                    out.append(Fact(cube: .revenue, day: c, dims: Self.named(o.dims, [.product: line.0]),
                                    measures: ["ordersCancelled": i == 0 ? 1 : 0, "unitsCancelled": line.1, "ordersCancelledAmount.\(o.currency)": line.2]))
                }
            }
        }
        for p in payments.values {
            out.append(Fact(cube: .revenue, day: p.day, dims: Self.named(p.dims, [.product: ""]),
                            measures: ["paymentsReceived": 1, "paymentsReceivedAmount.\(p.currency)": p.amount]))
        }
        for o in opportunities.values {
            out.append(Fact(cube: .pipeline, day: o.openedDay, dims: Self.named(o.dims, [.stage: o.openingStage]),
                            measures: ["opportunitiesCreated": 1, "createdAmount.\(o.currency)": o.amount]))
            if let r = o.outcome {
                let kind = r.won ? "won" : "lost"
                out.append(Fact(cube: .pipeline, day: r.day, dims: Self.named(o.dims, [.stage: r.stage]),
                                measures: [kind: 1, "\(kind)Amount.\(r.currency)": r.amount, "\(kind)CycleDays": r.cycle]))
            } else {
                out.append(Fact(cube: .pipeline, day: o.openedDay, dims: Self.named(o.dims, [.stage: o.stage]),
                                measures: ["openOpportunities": 1, "openAmount.\(o.currency)": o.amount]))
            }
        }
        for c in cases.values {
            var d = Self.named(c.dims)
            d[.campaign] = nil
            out.append(Fact(cube: .service, day: c.opened, dims: d, measures: ["casesOpened": 1, "complaints": c.complaint ? 1 : 0]))
            if let r = c.response {
                out.append(Fact(cube: .service, day: r.day, dims: d, measures: [
                    "firstResponses": 1, "firstResponseMinutes": r.minutes, "firstResponseBreaches": r.breached ? 1 : 0, "slaBreaches": r.breached ? 1 : 0]))
            }
            if let r = c.resolution {
                out.append(Fact(cube: .service, day: r.day, dims: d, measures: [
                    "casesResolved": 1, "resolutionMinutes": r.minutes, "resolutionBreaches": r.breached ? 1 : 0, "slaBreaches": r.breached ? 1 : 0]))
            }
            if let closed = c.closed { out.append(Fact(cube: .service, day: closed, dims: d, measures: ["casesClosed": 1])) }
        }
        for s in surveys.values {
            var d = Self.named(s.dims)
            d[.campaign] = nil
            out.append(Fact(cube: .service, day: s.day, dims: d, measures: [
                "surveysAnswered": 1, "csatSum": s.csat, "npsSum": s.nps, "promoters": s.nps >= 9 ? 1 : 0, "detractors": s.nps <= 6 ? 1 : 0]))
        }
        for (id, c) in customers where c.survivor == nil {
            var dims = c.dims
            dims.team = customerTeam[id] ?? ""
            let d = Self.named(dims, [.state: c.active ? "active" : "inactive"])
            out.append(Fact(cube: .customer, day: c.registeredDay, dims: d, measures: ["newCustomers": 1, "customers": 1, "activeCustomers": c.active ? 1 : 0]))
            for change in c.changes { out.append(Fact(cube: .customer, day: change.day, dims: d, measures: change.active ? ["reactivated": 1] : ["churned": 1])) }
            for day in c.mergedDays { out.append(Fact(cube: .customer, day: day, dims: d, measures: ["duplicatesMerged": 1])) }
        }
        return out
    }

    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    static func label(_ day: Int64, _ dimension: CubeDimension) -> String {
        let date = Date(timeIntervalSince1970: Double(day) * 86_400)
        let c = calendar.dateComponents([.year, .month, .day, .weekOfYear, .yearForWeekOfYear], from: date)
        let two = { (n: Int) in String(format: "%02d", n) }
        switch dimension {
        case .day: return "\(c.year!)-\(two(c.month!))-\(two(c.day!))"
        case .week: return "\(c.yearForWeekOfYear!)-W\(two(c.weekOfYear!))"
        case .month: return "\(c.year!)-\(two(c.month!))"
        case .quarter: return "\(c.year!)-Q\((c.month! - 1) / 3 + 1)"
        default: return "\(c.year!)"
        }
    }

    /// Rows (and pivot columns) of `query` over `facts`.
    static func answer(_ query: CubeQuery, _ facts: [Fact]) -> (rows: [[String]: [String: Int64]], columns: [[String]: [String: [String: Int64]]], totals: [String: Int64]) {
        let wanted = Set(query.measures.isEmpty ? query.cube.measures : query.measures)
        let from = query.from.map(day), to = query.to.map(day)
        var rows: [[String]: [String: Int64]] = [:]
        var columns: [[String]: [String: [String: Int64]]] = [:]
        var totals: [String: Int64] = [:]
        for fact in facts where fact.cube == query.cube {
            if let from, fact.day < from { continue }
            if let to, fact.day >= to { continue }
            func value(_ d: CubeDimension) -> String { d.isTime ? label(fact.day, d) : fact.dims[d]! }
            guard query.filters.allSatisfy({ $0.values.contains(value($0.dimension)) }) else { continue }
            let measures = fact.measures.filter { $0.value != 0 && wanted.contains(String($0.key.split(separator: ".")[0])) }
            guard !measures.isEmpty else { continue }
            let key = query.groupBy.map(value)
            rows[key, default: [:]].merge(measures, uniquingKeysWith: +)
            totals.merge(measures, uniquingKeysWith: +)
            if let pivot = query.pivot { columns[key, default: [:]][value(pivot), default: [:]].merge(measures, uniquingKeysWith: +) }
        }
        return (rows, columns, totals)
    }
}

/// Compares an answer with the brute force, and says what differs.
func expectCubeAnswer(_ answer: CubeAnswer, _ query: CubeQuery, _ facts: [CubeBruteForce.Fact], sourceLocation: SourceLocation = #_sourceLocation) {
    let expected = CubeBruteForce.answer(query, facts)
    let rows = Dictionary(uniqueKeysWithValues: answer.rows.map { ($0.key, $0.values) })
    #expect(rows == expected.rows, "\(query.cube) by \(query.groupBy)", sourceLocation: sourceLocation)
    #expect(answer.totals == expected.totals, sourceLocation: sourceLocation)
    if query.pivot != nil {
        let columns = Dictionary(uniqueKeysWithValues: answer.rows.map { ($0.key, $0.columns) })
        #expect(columns == expected.columns, sourceLocation: sourceLocation)
        #expect(answer.columns == Set(expected.columns.values.flatMap(\.keys)).sorted(), sourceLocation: sourceLocation)
    }
    #expect(answer.rows.map(\.key) == answer.rows.map(\.key).sorted { $0.lexicographicallyPrecedes($1) }, sourceLocation: sourceLocation)
}

@Suite("Cube calendar")
struct CubeBruteForceTests {
    @Test("day, ISO week, month, quarter and year labels agree with Foundation's ISO 8601 calendar")
    func labels() {
        // 2019-12-23 … 2027-01-10: year ends with week 53 and week 1 across the new year.
        for day in Int64(18_253)...Int64(20_828) {
            for grain in [CubeDimension.day, .week, .month, .quarter, .year] {
                #expect(CubeCalendar.label(day, grain) == CubeBruteForce.label(day, grain), "day \(day) \(grain)")
            }
        }
        #expect(CubeCalendar.day(Date(timeIntervalSince1970: -1)) == -1)
    }
}
