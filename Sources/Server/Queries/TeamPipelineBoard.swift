import Domain
import Foundation
import Projections

/// The pipeline board of a set of owners (a manager's team, an agent alone), in the shape of
/// `PipelineBoard`.
///
/// The read model keeps board cells for everyone and per owner; adding several owners' cells
/// would round the weighted amounts once per owner instead of once per cell. So the board of a
/// set is recomputed from the owners' open opportunities (their cards), with the same exact
/// arithmetic: sums in minor units, weighted = Σ amount × probability / 100 rounded half away from
/// zero once per stage (or month) and currency, average probability in basis points likewise.
struct TeamPipelineBoard: Encodable, Sendable {
    /// One stage column, as `PipelineBoard.Column`.
    struct Column: Encodable, Sendable {
        var stage: String
        var count: Int
        var amount: [String: Int64]
        var weighted: [String: Int64]
        var averageProbabilityBasisPoints: Int64
    }

    /// One close month of the forecast, as `PipelineBoard.Month`.
    struct Month: Encodable, Sendable {
        var month: String
        var count: Int
        var amount: [String: Int64]
        var weighted: [String: Int64]
    }

    /// The owners covered, sorted.
    var ownerIds: [String]
    var columns: [Column]
    var forecast: [Month]
    var position: UInt64

    /// Exact running sums of one cell.
    private struct Sums {
        var count = 0
        var amount: [String: Int64] = [:]
        var weightedHundredths: [String: Int64] = [:]
        var probabilitySum: Int64 = 0

        mutating func add(_ card: PipelineOpportunity) {
            count += 1
            let currency = card.amount.currency
            amount[currency, default: 0] += card.amount.minorUnits
            weightedHundredths[currency, default: 0] += card.amount.minorUnits * Int64(card.winProbability)
            probabilitySum += Int64(card.winProbability)
        }

        var weighted: [String: Int64] { weightedHundredths.mapValues { TeamPipelineBoard.divideRounded($0, by: 100) } }
        var nonZeroAmount: [String: Int64] { amount.filter { $0.value != 0 } }
    }

    /// Reads every open opportunity of `owners` (all stages of each owner's board) and sums them.
    static func query(_ reader: ReadModelReader, owners: Set<String>) throws -> TeamPipelineBoard {
        var stages: [String: Sums] = [:]
        var months: [String: Sums] = [:]
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        for owner in owners.sorted() {
            for column in try PipelineBoard.query(reader, ownerId: owner).columns {
                var cursor: String?
                repeat {
                    let page = try PipelineBoard.cards(reader, stage: column.stage, ownerId: owner, after: cursor, limit: 1000)
                    for card in page.items {
                        stages[card.stage, default: Sums()].add(card)
                        let parts = calendar.dateComponents([.year, .month], from: card.expectedCloseDate)
                        let month = String(format: "%04d-%02d", parts.year ?? 0, parts.month ?? 0)
                        months[month, default: Sums()].add(card)
                    }
                    cursor = page.nextCursor
                } while cursor != nil
            }
        }
        let columns = stages.map { stage, sums in
            Column(stage: stage, count: sums.count, amount: sums.nonZeroAmount, weighted: sums.weighted.filter { $0.value != 0 },
                   averageProbabilityBasisPoints: sums.count > 0 ? divideRounded(sums.probabilitySum * 100, by: Int64(sums.count)) : 0)
        }.sorted { ($0.averageProbabilityBasisPoints, $0.stage) < ($1.averageProbabilityBasisPoints, $1.stage) }
        let forecast = months.keys.sorted().map { month in
            let sums = months[month] ?? Sums()
            return Month(month: month, count: sums.count, amount: sums.nonZeroAmount, weighted: sums.weighted.filter { $0.value != 0 })
        }
        return TeamPipelineBoard(ownerIds: owners.sorted(), columns: columns, forecast: forecast, position: reader.position)
    }

    /// `numerator / denominator` rounded half away from zero (the read models' rounding).
    static func divideRounded(_ numerator: Int64, by denominator: Int64) -> Int64 {
        let half = denominator / 2
        return numerator >= 0 ? (numerator + half) / denominator : -((-numerator + half) / denominator)
    }
}
