import Foundation

extension CubeQuery {
    /// Answers the query from a reader of the `cubes` projector.
    ///
    /// `rollUps` false reads the finest cells only: the reference path the roll-ups are compared
    /// with (tests, `crm bench-projections`); both give equal answers.
    ///
    /// - Complexity: one range scan per part of the `CubeQueryPlan` (the cells of the smallest
    ///   table that keeps what the query needs, over its time range), plus a dictionary update per
    ///   cell. Month × region over a whole history reads one cell per month and region.
    /// - Throws: `CubeQueryError` for dimensions or measures the cube lacks; read-model errors.
    public func answer(_ reader: ReadModelReader, rollUps: Bool = true) throws -> CubeAnswer {
        let stored = cube.dimensions
        for dimension in groupBy + filters.map(\.dimension) + (pivot.map { [$0] } ?? []) where !dimension.isTime && !stored.contains(dimension) {
            throw CubeQueryError.unknownDimension(cube: cube, dimension: dimension)
        }
        if let pivot, groupBy.contains(pivot) { throw CubeQueryError.pivotInGroupBy(pivot) }
        for measure in measures where !cube.measures.contains(measure) { throw CubeQueryError.unknownMeasure(cube: cube, measure: measure) }

        let wanted = Set(measures.isEmpty ? cube.measures : measures)
        let filterSets = filters.map { (dimension: $0.dimension, values: Set($0.values)) }
        let position = reader.position

        struct Group { var values: [String: Int64] = [:]; var columns: [String: [String: Int64]] = [:] }
        var groups: [[String]: Group] = [:]
        var totals: [String: Int64] = [:]
        var columns = Set<String>()
        // Time labels by grain and day: cells by month share a label four to a few hundred times.
        var labels: [CubeDimension: [Int64: String]] = [:]

        for part in CubeQueryPlan(self, rollUps: rollUps).parts {
            // Keys are `sortable(day)\0...`; `after: sortable(d)` starts at the first key of day d.
            let start = part.from.map { ReadModelKey.sortable($0) }
            try reader.scan(part.table, after: start) { key, cell in
                let parts = ReadModelKey.split(key)
                guard let day = ReadModelKey.number(parts[0]) else { return true }
                if let to = part.to, day >= to { return false }
                if let from = part.from, day < from { return true }
                func value(_ dimension: CubeDimension) -> String {
                    if dimension.isTime {
                        if let label = labels[dimension]?[day] { return label }
                        let label = CubeCalendar.label(day, dimension)
                        labels[dimension, default: [:]][day] = label
                        return label
                    }
                    return parts[1 + part.dimensions.firstIndex(of: dimension)!]
                }
                for filter in filterSets where !filter.values.contains(value(filter.dimension)) { return true }
                let measures = cell.filter { name, _ in
                    wanted.contains(name) || name.firstIndex(of: ".").map { wanted.contains(String(name[..<$0])) } == true
                }
                guard !measures.isEmpty else { return true }
                let rowKey = groupBy.map(value)
                // In place: a copied group would copy its dictionaries for every cell.
                groups[rowKey, default: Group()].values.merge(measures, uniquingKeysWith: +)
                if let pivot {
                    let column = value(pivot)
                    columns.insert(column)
                    groups[rowKey]!.columns[column, default: [:]].merge(measures, uniquingKeysWith: +)
                }
                totals.merge(measures, uniquingKeysWith: +)
                return true
            }
        }
        let rows = groups.sorted { $0.key.lexicographicallyPrecedes($1.key) }
            .map { CubeAnswer.Row(key: $0.key, values: $0.value.values, columns: $0.value.columns) }
        return CubeAnswer(cube: cube, position: position, groupBy: groupBy, pivot: pivot, columns: columns.sorted(), rows: rows, totals: totals)
    }
}
