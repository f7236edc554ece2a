import Domain
import Foundation

/// What the pipeline projector keeps of one opportunity: enough to take its old contribution
/// out of the board and forecast before adding the new one (stage moves back, corrected amounts,
/// slipped close dates, owner changes, reopenings are all the same retraction).
public struct PipelineOpportunity: Sendable, Codable, Equatable {
    public var opportunityId: String
    public var customerId: String
    public var title: String
    public var ownerId: String
    public var stage: String
    /// Win probability (0–100) of `stage` in the process version the opportunity follows.
    public var winProbability: Int
    public var amount: Money
    public var expectedCloseDate: Date
    public var status: OpportunityStatus

    /// Amount × probability, in hundredths of a minor unit (exact).
    var weightedHundredths: Int64 { amount.minorUnits * Int64(winProbability) }
}

/// Count and exact sums of one board cell (a stage or a close month, in one currency).
public struct PipelineCell: Sendable, Codable, Equatable {
    public var count: Int = 0
    /// Sum of amounts, minor units.
    public var amount: Int64 = 0
    /// Sum of amount × win probability, in hundredths of a minor unit (exact; rounded only when shown).
    public var weightedHundredths: Int64 = 0
    /// Sum of win probabilities (orders the stages of the board).
    public var probabilitySum: Int64 = 0

    public init() {}

    var isEmpty: Bool { count == 0 && amount == 0 && weightedHundredths == 0 && probabilitySum == 0 }
}
