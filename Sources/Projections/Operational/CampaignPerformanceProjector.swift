import Domain
import Foundation

/// Campaign performance: targeted, responded, converted, budget, actual cost and attributed
/// revenue, from which `CampaignPerformance` derives rates, cost per conversion and return.
///
/// Attribution rule (first touch, frozen when the revenue is counted, retracted exactly):
/// * A customer comes from campaign K when it was registered with `sourceCampaignId` K or
///   converted from a lead captured for K (`LeadConverted`); the first of these in log order wins.
/// * An opportunity belongs to K when it was opened from a lead of K, else when its customer comes
///   from K, else when a `CampaignMemberConverted` of K names it (the first such event).
/// * Revenue of K = amounts of its opportunities while won (`OpportunityWon.amount`; a reopening
///   takes it back) + totals of its direct orders while not cancelled. A direct order has no
///   `opportunityId` (orders with one are the same money as the won opportunity, so they are
///   not counted twice); it belongs to K when a conversion of K names it, else when its customer
///   comes from K.
/// * Merges do not move attribution: it stays with the customer id on the opportunity or order.
public struct CampaignPerformanceProjector: Projector {
    static let campaigns = ReadModelTable<CampaignRecord>("campaigns")
    static let customerCampaign = ReadModelTable<String>("customerCampaign")
    static let leadCampaign = ReadModelTable<String>("leadCampaign")
    static let opportunities = ReadModelTable<AttributedOpportunity>("opportunities")
    static let orders = ReadModelTable<AttributedOrder>("orders")

    public var name: String
    public var version: Int { 1 }

    public init(name: String = "campaigns") { self.name = name }

    public var tables: [String] {
        [Self.campaigns.name, Self.customerCampaign.name, Self.leadCampaign.name, Self.opportunities.name, Self.orders.name]
    }

    public var eventTypes: Set<String>? {
        let types: [any DomainEvent.Type] = [
            CampaignPlanned.self, CampaignLaunched.self, CampaignMemberTargeted.self, CampaignMemberResponded.self,
            CampaignMemberConverted.self, CampaignClosed.self,
            CustomerRegistered.self, LeadCaptured.self, LeadConverted.self,
            OpportunityOpened.self, OpportunityWon.self, OpportunityReopened.self, OpportunityLost.self,
            OrderPlaced.self, OrderCancelled.self,
        ]
        return Set(types.map { $0.eventType })
    }

    public func apply(_ event: ProjectedEvent, to batch: inout ReadModelBatch) throws {
        switch event.payload {
        case let e as CampaignPlanned:
            try batch.put(Self.campaigns, e.campaignId,
                          CampaignRecord(campaignId: e.campaignId, name: e.name, channel: e.channel, targetSegment: e.targetSegment,
                                         budget: e.budget, actualCost: nil, stage: .planned, launchedAt: nil, closedAt: nil))
        case let e as CampaignLaunched:
            try batch.modify(Self.campaigns, e.campaignId) { $0.stage = .launched; $0.launchedAt = e.occurredAt }
        case let e as CampaignMemberTargeted:
            try batch.modify(Self.campaigns, e.campaignId) { $0.targeted += 1 }
        case let e as CampaignMemberResponded:
            try batch.modify(Self.campaigns, e.campaignId) { $0.responded += 1 }
        case let e as CampaignMemberConverted:
            try batch.modify(Self.campaigns, e.campaignId) { $0.converted += 1; $0.conversionValue += e.value.minorUnits }
            if let id = e.opportunityId, var o = try batch.get(Self.opportunities, id), o.campaignId == nil {
                o.campaignId = e.campaignId
                try batch.put(Self.opportunities, id, o)
                if o.status == .won, let amount = o.wonAmount { try addRevenue(e.campaignId, amount, wins: 1, orders: 0, &batch) }
            }
            if let id = e.orderId, var order = try batch.get(Self.orders, id), order.campaignId == nil {
                order.campaignId = e.campaignId
                try batch.put(Self.orders, id, order)
                if !order.cancelled { try addRevenue(e.campaignId, order.total, wins: 0, orders: 1, &batch) }
            }
        case let e as CampaignClosed:
            try batch.modify(Self.campaigns, e.campaignId) { $0.stage = .closed; $0.closedAt = e.occurredAt; $0.actualCost = e.actualCost }
        case let e as CustomerRegistered:
            if let campaign = e.sourceCampaignId, try batch.get(Self.customerCampaign, e.customerId) == nil {
                try batch.put(Self.customerCampaign, e.customerId, campaign)
            }
        case let e as LeadCaptured:
            if let campaign = e.campaignId { try batch.put(Self.leadCampaign, e.leadId, campaign) }
        case let e as LeadConverted:
            if let campaign = try batch.get(Self.leadCampaign, e.leadId), try batch.get(Self.customerCampaign, e.customerId) == nil {
                try batch.put(Self.customerCampaign, e.customerId, campaign)
            }
        case let e as OpportunityOpened:
            var campaign = try e.leadId.flatMap { try batch.get(Self.leadCampaign, $0) }
            if campaign == nil { campaign = try batch.get(Self.customerCampaign, e.customerId) }
            try batch.put(Self.opportunities, e.opportunityId,
                          AttributedOpportunity(customerId: e.customerId, campaignId: campaign, status: .open, wonAmount: nil))
        case let e as OpportunityWon:
            guard var o = try batch.get(Self.opportunities, e.opportunityId), o.status != .won else { return }
            o.status = .won
            o.wonAmount = e.amount
            try batch.put(Self.opportunities, e.opportunityId, o)
            if let campaign = o.campaignId { try addRevenue(campaign, e.amount, wins: 1, orders: 0, &batch) }
        case let e as OpportunityLost:
            try setUnwon(e.opportunityId, .lost, &batch)
        case let e as OpportunityReopened:
            try setUnwon(e.opportunityId, .open, &batch)
        case let e as OrderPlaced:
            guard e.opportunityId == nil else { return }
            let campaign = try batch.get(Self.customerCampaign, e.customerId)
            try batch.put(Self.orders, e.orderId, AttributedOrder(customerId: e.customerId, campaignId: campaign, total: e.total, cancelled: false))
            if let campaign { try addRevenue(campaign, e.total, wins: 0, orders: 1, &batch) }
        case let e as OrderCancelled:
            guard var order = try batch.get(Self.orders, e.orderId), !order.cancelled else { return }
            order.cancelled = true
            try batch.put(Self.orders, e.orderId, order)
            if let campaign = order.campaignId { try addRevenue(campaign, order.total, wins: 0, orders: 1, sign: -1, &batch) }
        default:
            break
        }
    }

    func setUnwon(_ id: String, _ status: OpportunityStatus, _ batch: inout ReadModelBatch) throws {
        guard var o = try batch.get(Self.opportunities, id), o.status != status else { return }
        let wasWon = o.status == .won
        o.status = status
        let amount = o.wonAmount
        o.wonAmount = nil
        try batch.put(Self.opportunities, id, o)
        if wasWon, let campaign = o.campaignId, let amount { try addRevenue(campaign, amount, wins: 1, orders: 0, sign: -1, &batch) }
    }

    func addRevenue(_ campaignId: String, _ amount: Money, wins: Int, orders: Int, sign: Int64 = 1, _ batch: inout ReadModelBatch) throws {
        try batch.modify(Self.campaigns, campaignId) { c in
            c.revenue.add(sign * amount.minorUnits, amount.currency)
            c.wonOpportunities += Int(sign) * wins
            c.orders += Int(sign) * orders
        }
    }
}
