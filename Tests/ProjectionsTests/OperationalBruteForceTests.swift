import Domain
import EventStore
import Foundation
@testable import Projections
import Testing

/// An independent recomputation of the operational views from raw events: every entity is
/// folded with the domain's own aggregates (`Customer`, `Opportunity`, `Invoice`, …), and the
/// answers are derived from the final states with plain collection code, never with the
/// projectors' tables or helpers.
struct OperationalWorld {
    var customers: [String: Customer] = [:]
    var registered: [String: CustomerRegistered] = [:]
    var opportunities: [String: Opportunity] = [:]
    var opportunityTitle: [String: String] = [:]
    var opportunityLead: [String: String] = [:]
    var lastWonAmount: [String: Money] = [:]
    var invoices: [String: Invoice] = [:]
    var writtenOff: [String: Money] = [:]
    var orders: [String: Order] = [:]
    var orderOpportunity: [String: String] = [:]
    var cases: [String: ServiceCase] = [:]
    var caseOpened: [String: CaseOpened] = [:]
    var tasks: [String: WorkTask] = [:]
    var taskAssigned: [String: WorkTaskAssigned] = [:]
    var campaigns: [String: Campaign] = [:]
    var campaignPlanned: [String: CampaignPlanned] = [:]
    var campaignCost: [String: Money] = [:]
    var conversionValue: [String: Int64] = [:]
    var leadCampaign: [String: String] = [:]
    var customerCampaign: [String: String] = [:]
    var firstConversionOfOpportunity: [String: String] = [:]
    var firstConversionOfOrder: [String: String] = [:]
    /// absorbed → survivor, and the position of the first merge event.
    var mergedInto: [String: String] = [:]
    var mergePosition: [String: UInt64] = [:]
    var interactions: [(event: InteractionLogged, position: UInt64)] = []
    /// (customer the evidence is about, business time): won opportunities, orders, settlements.
    var purchaseEvents: [(customerId: String, at: Date)] = []

    init(_ events: [ProjectedEvent]) {
        for event in events {
            guard let payload = event.payload else { continue }
            let id = String(event.envelope.stream.drop { $0 != "-" }.dropFirst())
            switch event.envelope.stream.prefix { $0 != "-" } {
            case "customer": customers[id, default: Customer()].apply(payload)
            case "opportunity": opportunities[id, default: Opportunity()].apply(payload)
            case "invoice": invoices[id, default: Invoice()].apply(payload)
            case "order": orders[id, default: Order()].apply(payload)
            case "case": cases[id, default: ServiceCase()].apply(payload)
            case "task": tasks[id, default: WorkTask()].apply(payload)
            case "campaign": campaigns[id, default: Campaign()].apply(payload)
            default: break
            }
            switch payload {
            case let e as CustomerRegistered:
                registered[e.customerId] = e
                if let k = e.sourceCampaignId, customerCampaign[e.customerId] == nil { customerCampaign[e.customerId] = k }
            case let e as CustomerMerged:
                if mergedInto[e.absorbedId] == nil { mergedInto[e.absorbedId] = e.customerId; mergePosition[e.absorbedId] = event.position }
            case let e as CustomerAbsorbed:
                if mergedInto[e.customerId] == nil { mergedInto[e.customerId] = e.survivorId; mergePosition[e.customerId] = event.position }
            case let e as InteractionLogged:
                interactions.append((e, event.position))
            case let e as OpportunityOpened:
                opportunityTitle[e.opportunityId] = e.title
                opportunityLead[e.opportunityId] = e.leadId
            case let e as OpportunityWon:
                if let o = opportunities[e.opportunityId] { purchaseEvents.append((o.customerId, e.occurredAt)) }
                lastWonAmount[e.opportunityId] = e.amount
            case let e as OrderPlaced:
                purchaseEvents.append((e.customerId, e.occurredAt))
                orderOpportunity[e.orderId] = e.opportunityId
            case let e as InvoiceSettled:
                if let i = invoices[e.invoiceId] { purchaseEvents.append((i.customerId, e.occurredAt)) }
            case let e as InvoiceWrittenOff:
                writtenOff[e.invoiceId] = e.amount
            case let e as CaseOpened:
                caseOpened[e.caseId] = e
            case let e as WorkTaskAssigned:
                taskAssigned[e.taskId] = e
            case let e as CampaignPlanned:
                campaignPlanned[e.campaignId] = e
            case let e as CampaignClosed:
                campaignCost[e.campaignId] = e.actualCost
            case let e as CampaignMemberConverted:
                conversionValue[e.campaignId, default: 0] += e.value.minorUnits
                if let o = e.opportunityId, firstConversionOfOpportunity[o] == nil { firstConversionOfOpportunity[o] = e.campaignId }
                if let o = e.orderId, firstConversionOfOrder[o] == nil { firstConversionOfOrder[o] = e.campaignId }
            case let e as LeadCaptured:
                if let k = e.campaignId { leadCampaign[e.leadId] = k }
            case let e as LeadConverted:
                if let k = leadCampaign[e.leadId], customerCampaign[e.customerId] == nil { customerCampaign[e.customerId] = k }
            default: break
            }
        }
    }

    /// The customer whose 360 shows items of `id` (nil for an unknown customer).
    func owner(_ id: String) -> String? {
        guard registered[id] != nil else { return nil }
        var current = id
        while let next = mergedInto[current] { current = next }
        return current
    }

    func state(_ id: String) -> CustomerLifecycleState {
        if mergedInto[id] != nil { return .merged }
        if customers[id]?.isActive == false { return .inactive }
        let won = opportunities.values.filter { $0.status == .won && owner($0.customerId) == id }.count
        let ordered = orders.values.filter { $0.status != .cancelled && owner($0.customerId) == id }.count
        let settled = invoices.values.filter { $0.status == .settled && owner($0.customerId) == id }.count
        return won + ordered + settled > 0 ? .active : .prospect
    }

    func outstanding(_ id: String, _ currency: String) -> Int64 {
        guard mergedInto[id] == nil else { return 0 }
        return invoices.values.filter { owner($0.customerId) == id && $0.total.currency == currency }.reduce(0) { $0 + $1.outstanding.minorUnits }
    }

    // MARK: Customer 360

    func expected360(_ id: String) -> Customer360? {
        guard let reg = registered[id], let c = customers[id] else { return nil }
        let isSurvivor = mergedInto[id] == nil
        let openOpportunities: [CustomerOpportunity] = !isSurvivor ? [] : opportunities.filter { $0.value.status == .open && owner($0.value.customerId) == id }
            .map { key, o -> CustomerOpportunity in
                CustomerOpportunity(opportunityId: key, customerId: o.customerId, title: opportunityTitle[key] ?? "", stage: o.stage,
                                    amount: o.amount, expectedCloseDate: o.expectedCloseDate, status: .open)
            }
            .sorted { ($0.expectedCloseDate, $0.opportunityId) < ($1.expectedCloseDate, $1.opportunityId) }
        let openCases: [CustomerCase] = !isSurvivor ? [] : cases.filter { CaseStatus.working.contains($0.value.status) && owner($0.value.customerId) == id }
            .map { key, c -> CustomerCase in
                let opened = caseOpened[key]!
                return CustomerCase(caseId: key, customerId: opened.customerId, priority: opened.priority, status: c.status,
                                    openedAt: opened.occurredAt, isComplaint: opened.isComplaint, subject: opened.subject)
            }
            .sorted { ($0.openedAt, $0.caseId) < ($1.openedAt, $1.caseId) }
        var recent: [(event: InteractionLogged, position: UInt64)]
        if isSurvivor {
            recent = interactions.filter { owner($0.event.customerId) == id }
        } else {
            recent = interactions.filter { $0.event.customerId == id && $0.position < mergePosition[id]! }
        }
        recent.sort { $0.event.occurredAt != $1.event.occurredAt ? $0.event.occurredAt > $1.event.occurredAt : $0.position > $1.position }
        var balances: [String: Customer360.Balance] = [:]
        if isSurvivor {
            for (invoiceId, invoice) in invoices where owner(invoice.customerId) == id {
                let currency = invoice.total.currency
                var b = balances[currency] ?? Customer360.Balance(currency: currency, invoiced: 0, paid: 0, writtenOff: 0, outstanding: 0, overdue: 0)
                b.invoiced += invoice.total.minorUnits
                b.paid += invoice.paid.minorUnits
                b.writtenOff += writtenOff[invoiceId]?.minorUnits ?? 0
                b.outstanding += invoice.outstanding.minorUnits
                b.overdue += invoice.isOverdue ? invoice.outstanding.minorUnits : 0
                balances[currency] = b
            }
        }
        let firstPurchase = isSurvivor ? purchaseEvents.filter { owner($0.customerId) == id }.map(\.at).min() : nil
        return Customer360(
            customerId: id, kind: reg.kind, name: c.profile["name"] ?? "", organisation: c.profile["organisation"],
            email: c.profile["email"], phone: c.profile["phone"], address: c.profile["address"], channel: reg.channel,
            sourceCampaignId: reg.sourceCampaignId, registeredAt: reg.occurredAt, classification: c.classification,
            managerId: c.managerId, tags: c.tags.sorted(),
            contacts: c.contacts.keys.sorted().map { k in
                let x = c.contacts[k]!
                return CustomerContact(contactId: k, name: x.name, email: x.email, phone: x.phone, role: x.role)
            },
            consents: c.consents.sorted(), isActive: c.isActive, mergedInto: mergedInto[id],
            absorbedIds: mergedInto.filter { $0.value == id }.sorted { mergePosition[$0.key]! < mergePosition[$1.key]! }.map(\.key),
            openOpportunities: openOpportunities, openCases: openCases,
            recentInteractions: recent.prefix(20).map { e, position in
                CustomerInteraction(interactionId: e.interactionId, customerId: e.customerId, occurredAt: e.occurredAt, channel: e.channel,
                                    direction: e.direction, outcome: e.outcome, subject: e.subject, caseId: e.caseId,
                                    opportunityId: e.opportunityId, campaignId: e.campaignId, position: position)
            },
            balances: balances.keys.sorted().map { balances[$0]! }, lifecycleState: state(id), firstPurchaseAt: firstPurchase,
            valueGrade: nil, riskGrade: nil, position: 0)
    }

    // MARK: Customer list

    func expectedList(_ filter: CustomerListFilter, sort: CustomerListSort, descending: Bool, currency: String = "EUR") -> [String] {
        let ids = registered.keys.filter { id in
            guard mergedInto[id] == nil, let c = customers[id] else { return false }
            if let s = filter.segment, c.classification?.segment != s { return false }
            if let r = filter.region, c.classification?.region != r { return false }
            if let m = filter.managerId, c.managerId != m { return false }
            if let t = filter.tag, !c.tags.contains(t) { return false }
            if let s = filter.state, state(id) != s { return false }
            return true
        }
        func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
        let sorted: [String]
        switch sort {
        case .name:
            sorted = ids.sorted { a, b in
                let (na, nb) = (bytes((customers[a]!.profile["name"] ?? "").lowercased()), bytes((customers[b]!.profile["name"] ?? "").lowercased()))
                return na != nb ? na.lexicographicallyPrecedes(nb) : bytes(a).lexicographicallyPrecedes(bytes(b))
            }
        case .registeredAt:
            sorted = ids.sorted { a, b in
                let (ta, tb) = (registered[a]!.occurredAt, registered[b]!.occurredAt)
                return ta != tb ? ta < tb : bytes(a).lexicographicallyPrecedes(bytes(b))
            }
        case .outstanding:
            sorted = ids.sorted { a, b in
                let (oa, ob) = (outstanding(a, currency), outstanding(b, currency))
                return oa != ob ? oa < ob : bytes(a).lexicographicallyPrecedes(bytes(b))
            }
        }
        return descending ? sorted.reversed() : sorted
    }

    // MARK: Pipeline

    struct Cell: Equatable { var count = 0; var amount: [String: Int64] = [:]; var weightedRaw: [String: Int64] = [:] }

    func probability(_ o: Opportunity) -> Int { o.stages.first { $0.name == o.stage }?.winProbability ?? 0 }

    static func month(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month], from: date)
        return String(format: "%04d-%02d", c.year!, c.month!)
    }

    func expectedPipeline(ownerId: String?) -> (stages: [String: Cell], months: [String: Cell]) {
        var stages: [String: Cell] = [:], months: [String: Cell] = [:]
        for o in opportunities.values where o.status == .open && (ownerId == nil || o.ownerId == ownerId) {
            let p = Int64(probability(o)), cur = o.amount.currency
            for (key, table) in [(o.stage, 0), (Self.month(o.expectedCloseDate), 1)] {
                var cell = (table == 0 ? stages[key] : months[key]) ?? Cell()
                cell.count += 1
                cell.amount[cur, default: 0] += o.amount.minorUnits
                cell.weightedRaw[cur, default: 0] += o.amount.minorUnits * p
                if table == 0 { stages[key] = cell } else { months[key] = cell }
            }
        }
        return (stages, months)
    }

    // MARK: Service queue

    func openCases(agentId: String?? = nil) -> [(id: String, c: ServiceCase)] {
        cases.filter { CaseStatus.working.contains($0.value.status) && (agentId == nil || $0.value.agentId == agentId!) }
            .map { ($0.key, $0.value) }
    }

    static func nextDue(_ c: ServiceCase) -> Date {
        c.hasFirstResponse ? c.resolutionDueAt : min(c.firstResponseDueAt, c.resolutionDueAt)
    }
}


extension OperationalWorld {
    // MARK: Campaigns

    /// What the campaign view must say about `id`, computed from final states.
    struct CampaignExpectation: Equatable {
        var targeted = 0, responded = 0, converted = 0
        var budget: Money
        var actualCost: Money?
        var conversionValue: Int64 = 0
        var revenue: [String: Int64] = [:]
        var won = 0, orders = 0
    }

    func expectedCampaign(_ id: String) -> CampaignExpectation? {
        guard let planned = campaignPlanned[id], let c = campaigns[id] else { return nil }
        var x = CampaignExpectation(targeted: c.targeted.count, responded: c.responded.count, converted: c.converted.count,
                                    budget: planned.budget, actualCost: campaignCost[id], conversionValue: conversionValue[id] ?? 0)
        for (oid, o) in opportunities where o.status == .won {
            let k = opportunityLead[oid].flatMap { leadCampaign[$0] } ?? customerCampaign[o.customerId] ?? firstConversionOfOpportunity[oid]
            guard k == id, let amount = lastWonAmount[oid] else { continue }
            x.revenue[amount.currency, default: 0] += amount.minorUnits
            x.won += 1
        }
        for (oid, order) in orders where order.status != .cancelled && orderOpportunity[oid] == nil {
            guard (customerCampaign[order.customerId] ?? firstConversionOfOrder[oid]) == id else { continue }
            x.revenue[order.total.currency, default: 0] += order.total.minorUnits
            x.orders += 1
        }
        x.revenue = x.revenue.filter { $0.value != 0 }
        return x
    }

    /// `n / d` rounded half away from zero, by integer remainder.
    static func roundDiv(_ n: Int64, _ d: Int64) -> Int64 {
        let q = n / d, r = n % d
        return 2 * abs(r) >= d ? q + (n < 0 ? -1 : 1) : q
    }

    // MARK: Follow-ups

    func openTasks(of managerId: String) -> [(id: String, task: WorkTask)] {
        tasks.filter { $0.value.status == .open && $0.value.assignment?.managerId == managerId }.map { ($0.key, $0.value) }
            .sorted { ($0.task.assignment!.dueAt, $0.id) < ($1.task.assignment!.dueAt, $1.id) }
    }

    /// The last business time in the log: the "now" of the checks.
    static func lastBusinessTime(_ events: [ProjectedEvent]) -> Date {
        events.compactMap { $0.payload?.occurredAt }.max() ?? Date(timeIntervalSince1970: 0)
    }
}
