import Domain
import Foundation

/// What the campaign projector accumulates for one campaign.
public struct CampaignRecord: Sendable, Codable, Equatable {
    public var campaignId: String
    public var name: String
    public var channel: MarketingChannel
    public var targetSegment: String
    public var budget: Money
    /// Set at closing.
    public var actualCost: Money?
    public var stage: Campaign.Stage
    public var launchedAt: Date?
    public var closedAt: Date?
    public var targeted = 0
    public var responded = 0
    public var converted = 0
    /// Sum of the conversions' declared values, minor units of the budget's currency.
    public var conversionValue: Int64 = 0
    /// Attributed revenue per currency (see `CampaignPerformanceProjector`), minor units.
    public var revenue: CurrencyTotals = [:]
    /// Attributed won opportunities currently won.
    public var wonOpportunities = 0
    /// Attributed direct orders currently not cancelled.
    public var orders = 0
}

/// The campaign an opportunity is attributed to, and what it adds while won.
struct AttributedOpportunity: Sendable, Codable, Equatable {
    var customerId: String
    var campaignId: String?
    var status: OpportunityStatus
    /// The amount counted while won.
    var wonAmount: Money?
}

/// The campaign a direct order (one without an opportunity) is attributed to.
struct AttributedOrder: Sendable, Codable, Equatable {
    var customerId: String
    var campaignId: String?
    var total: Money
    var cancelled: Bool
}
