import Domain
import Foundation

/// A campaign's performance as reported: counts, rates, cost and return, all exact integers
/// (money in minor units, ratios in basis points, rounded half away from zero).
public struct CampaignPerformance: Sendable, Codable, Equatable {
    public var record: CampaignRecord
    /// Responded / targeted, basis points (nil when no one was targeted).
    public var responseRateBasisPoints: Int64?
    /// Converted / targeted, basis points.
    public var conversionRateBasisPoints: Int64?
    /// The cost the ratios use: the actual cost once closed, the budget before.
    public var cost: Money
    /// True while `cost` is the budget (the campaign is not closed yet).
    public var costIsBudget: Bool
    /// Cost / conversions, minor units (nil without conversions).
    public var costPerConversion: Int64?
    /// Cost / responses, minor units.
    public var costPerResponse: Int64?
    /// Attributed revenue in the budget's currency, minor units (other currencies are in
    /// `record.revenue` but do not enter the return).
    public var revenueInBudgetCurrency: Int64
    /// (revenue − cost) / cost, basis points (nil when the cost is zero).
    public var roiBasisPoints: Int64?

    init(_ r: CampaignRecord) {
        record = r
        responseRateBasisPoints = r.targeted > 0 ? MinorUnits.divideRounded(Int64(r.responded) * 10_000, by: Int64(r.targeted)) : nil
        conversionRateBasisPoints = r.targeted > 0 ? MinorUnits.divideRounded(Int64(r.converted) * 10_000, by: Int64(r.targeted)) : nil
        cost = r.actualCost ?? r.budget
        costIsBudget = r.actualCost == nil
        let c = cost.minorUnits
        costPerConversion = r.converted > 0 ? MinorUnits.divideRounded(c, by: Int64(r.converted)) : nil
        costPerResponse = r.responded > 0 ? MinorUnits.divideRounded(c, by: Int64(r.responded)) : nil
        revenueInBudgetCurrency = r.revenue[cost.currency] ?? 0
        roiBasisPoints = c > 0 ? MinorUnits.divideRounded((revenueInBudgetCurrency - c) * 10_000, by: c) : nil
    }

    /// One campaign's performance, or nil when it was never planned.
    public static func query(_ reader: ReadModelReader, campaignId: String) throws -> CampaignPerformance? {
        try reader.get(CampaignPerformanceProjector.campaigns, campaignId).map(CampaignPerformance.init)
    }

    /// Every campaign, by id.
    public static func all(_ reader: ReadModelReader) throws -> [CampaignPerformance] {
        var out: [CampaignPerformance] = []
        try reader.scan(CampaignPerformanceProjector.campaigns) { _, r in out.append(CampaignPerformance(r)); return true }
        return out
    }
}
