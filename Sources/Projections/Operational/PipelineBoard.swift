import Foundation

/// The pipeline board: open opportunities per stage and the weighted forecast per expected
/// close month, everyone's or one owner's. Amounts per currency in minor units; weighted amounts
/// are the exact sum of amount × win probability / 100, rounded half up once per cell.
public struct PipelineBoard: Sendable, Codable, Equatable {
    /// One stage column.
    public struct Column: Sendable, Codable, Equatable {
        public var stage: String
        public var count: Int
        public var amount: CurrencyTotals
        public var weighted: CurrencyTotals
        /// Average win probability of the column's opportunities (orders the columns), percent × 100.
        public var averageProbabilityBasisPoints: Int64
    }

    /// One close month of the forecast.
    public struct Month: Sendable, Codable, Equatable {
        /// `yyyy-MM`, UTC.
        public var month: String
        public var count: Int
        public var amount: CurrencyTotals
        public var weighted: CurrencyTotals
    }

    public var ownerId: String?
    /// By average win probability, then stage name.
    public var columns: [Column]
    /// By month.
    public var forecast: [Month]
    public var position: UInt64

    /// The board of `ownerId` (nil: everyone's): two prefix scans over small tables.
    public static func query(_ reader: ReadModelReader, ownerId: String? = nil) throws -> PipelineBoard {
        let prefix = ReadModelKey.prefix(PipelineProjector.scopePrefix(ownerId: ownerId))
        var columns: [String: (Column, Int64)] = [:]
        try reader.scan(PipelineProjector.stages, prefix: prefix) { key, cell in
            let parts = ReadModelKey.split(String(key.dropFirst(prefix.count)))
            let (stage, currency) = (parts[0], parts[1])
            var (column, probabilities) = columns[stage] ?? (Column(stage: stage, count: 0, amount: [:], weighted: [:], averageProbabilityBasisPoints: 0), 0)
            column.count += cell.count
            column.amount.add(cell.amount, currency)
            column.weighted.add(MinorUnits.divideRounded(cell.weightedHundredths, by: 100), currency)
            probabilities += cell.probabilitySum
            columns[stage] = (column, probabilities)
            return true
        }
        let ordered = columns.values.map { column, probabilities -> Column in
            var c = column
            c.averageProbabilityBasisPoints = c.count > 0 ? MinorUnits.divideRounded(probabilities * 100, by: Int64(c.count)) : 0
            return c
        }.sorted { ($0.averageProbabilityBasisPoints, $0.stage) < ($1.averageProbabilityBasisPoints, $1.stage) }
        var months: [String: Month] = [:]
        try reader.scan(PipelineProjector.forecast, prefix: prefix) { key, cell in
            let parts = ReadModelKey.split(String(key.dropFirst(prefix.count)))
            let (month, currency) = (parts[0], parts[1])
            var m = months[month] ?? Month(month: month, count: 0, amount: [:], weighted: [:])
            m.count += cell.count
            m.amount.add(cell.amount, currency)
            m.weighted.add(MinorUnits.divideRounded(cell.weightedHundredths, by: 100), currency)
            months[month] = m
            return true
        }
        return PipelineBoard(ownerId: ownerId, columns: ordered, forecast: months.keys.sorted().map { months[$0]! }, position: reader.position)
    }

    /// The open opportunities of one column, by id, cursor-paginated.
    public static func cards(_ reader: ReadModelReader, stage: String, ownerId: String? = nil,
                             after cursor: String? = nil, limit: Int = 50) throws -> (items: [PipelineOpportunity], nextCursor: String?) {
        let prefix = ReadModelKey.prefix(PipelineProjector.scopePrefix(ownerId: ownerId) + [stage])
        let start = try cursor.map { try CustomerList.decodeCursor($0, prefix: prefix) }
        var items: [PipelineOpportunity] = []
        var last: String?
        var more = false
        try reader.scan(PipelineProjector.cards, prefix: prefix, after: start) { key, _ in
            if items.count == max(1, limit) { more = true; return false }
            let id = String(key.dropFirst(prefix.count))
            if let o = try reader.get(PipelineProjector.opportunities, id) { items.append(o) }
            last = key
            return true
        }
        return (items, more ? last.map(CustomerList.encodeCursor) : nil)
    }
}
