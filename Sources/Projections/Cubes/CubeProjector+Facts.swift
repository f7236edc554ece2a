import Domain
import Foundation

extension CubeProjector {
    /// Orders, payments, opportunities, cases, surveys and campaign credits.
    func applyFact(_ payload: any DomainEvent, day: Int64, _ batch: inout ReadModelBatch) throws {
        switch payload {
        case let e as OrderPlaced:
            let (customer, dims) = try factDims(e.customerId, &batch)
            let lines = e.lines.map { CubeOrderFact.Line(product: $0.productId, quantity: Int64($0.quantity), total: $0.lineTotal.minorUnits) }
            try file(CubeOrderFact(customer: customer, dims: dims, day: day, currency: e.total.currency, lines: lines), e.orderId, &batch)
        case let e as OrderCancelled:
            try change(CubeOrderFact.self, e.orderId, &batch) { $0.cancelledDay = day }
        case let e as InvoicePaymentReceived:
            let (customer, dims) = try factDims(e.customerId, &batch)
            try file(CubePaymentFact(customer: customer, dims: dims, day: day, amount: e.amount.minorUnits, currency: e.amount.currency),
                     ReadModelKey.join(e.invoiceId, e.paymentId), &batch)
        case let e as OpportunityOpened:
            let (customer, customerDims) = try factDims(e.customerId, &batch)
            var dims = customerDims
            dims.manager = e.ownerId
            dims.team = try team(of: e.ownerId, &batch)
            let at = Self.milliseconds(e.occurredAt)
            try file(CubeOpportunityFact(customer: customer, dims: dims, openedAt: at, openedDay: day, openingStage: e.stage, stage: e.stage,
                                         amount: e.amount.minorUnits, currency: e.amount.currency), e.opportunityId, &batch)
        case let e as OpportunityStageChanged:
            try change(CubeOpportunityFact.self, e.opportunityId, &batch) { $0.stage = e.toStage }
        case let e as OpportunityAmountChanged:
            try change(CubeOpportunityFact.self, e.opportunityId, &batch) {
                $0.amount = e.newAmount.minorUnits
                $0.currency = e.newAmount.currency
            }
        case let e as OpportunityOwnerChanged:
            let team = try team(of: e.ownerId, &batch)
            try change(CubeOpportunityFact.self, e.opportunityId, &batch) {
                $0.dims.manager = e.ownerId
                $0.dims.team = team
            }
        case let e as OpportunityWon:
            try change(CubeOpportunityFact.self, e.opportunityId, &batch) {
                $0.outcome = .init(won: true, day: day, amount: e.amount.minorUnits, currency: e.amount.currency, stage: e.stage,
                                   cycleDays: Self.cycleDays(from: $0.openedAt, to: e.occurredAt))
            }
        case let e as OpportunityLost:
            try change(CubeOpportunityFact.self, e.opportunityId, &batch) {
                $0.outcome = .init(won: false, day: day, amount: $0.amount, currency: $0.currency, stage: e.stage,
                                   cycleDays: Self.cycleDays(from: $0.openedAt, to: e.occurredAt))
            }
        case let e as OpportunityReopened:
            try change(CubeOpportunityFact.self, e.opportunityId, &batch) { $0.outcome = nil }
        case let e as CaseOpened:
            let (customer, customerDims) = try factDims(e.customerId, &batch)
            var dims = customerDims
            dims.channel = e.channel.rawValue
            try file(CubeCaseFact(customer: customer, dims: dims, openedDay: day, complaint: e.isComplaint), e.caseId, &batch)
        case let e as CaseFirstResponded:
            try change(CubeCaseFact.self, e.caseId, &batch) { $0.response = .init(day: day, minutes: Int64(e.minutesToRespond), breached: e.breached) }
        case let e as CaseResolved:
            try change(CubeCaseFact.self, e.caseId, &batch) { $0.resolution = .init(day: day, minutes: Int64(e.minutesToResolve), breached: e.breached) }
        case let e as CaseReopened:
            try change(CubeCaseFact.self, e.caseId, &batch) {
                $0.resolution = nil
                $0.closedDay = nil
            }
        case let e as CaseClosed:
            try change(CubeCaseFact.self, e.caseId, &batch) { $0.closedDay = day }
        case let e as SurveyAnswered:
            let (customer, customerDims) = try factDims(e.customerId, &batch)
            var dims = customerDims
            dims.channel = try e.caseId.flatMap { try batch.get(CubeCaseFact.table, $0)?.dims.channel } ?? ""
            try file(CubeSurveyFact(customer: customer, dims: dims, day: day, csat: Int64(e.csat), nps: Int64(e.nps)), e.surveyId, &batch)
        case let e as CampaignMemberConverted:
            if let order = e.orderId {
                try change(CubeOrderFact.self, order, &batch) {
                    $0.campaign = e.campaignId
                    $0.dims.campaign = e.campaignId
                }
            }
            if let opportunity = e.opportunityId {
                try change(CubeOpportunityFact.self, opportunity, &batch) {
                    $0.campaign = e.campaignId
                    $0.dims.campaign = e.campaignId
                }
            }
        default:
            break
        }
    }

    /// Business time in milliseconds.
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    /// Whole days from the opening (ms) to the outcome.
    static func cycleDays(from openedAt: Int64, to date: Date) -> Int64 {
        max(0, (milliseconds(date) - openedAt) / CubeCalendar.dayMilliseconds)
    }
}
