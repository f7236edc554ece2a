/// Which cells answer a `CubeQuery`: one or more day ranges, each read from one table (the finest
/// cells or a `CubeRollUp`).
///
/// The rule: a query that groups, filters or pivots by the day or the week needs cells by day;
/// any other time grain (month, quarter, year) or none is answered from cells by month. Of the
/// tables at that grain, the first roll-up keeping every business dimension the query groups,
/// filters or pivots by is read (roll-ups are listed smallest first), else the finest cells.
/// A `from`/`to` that cuts a month reads the whole months in between by month and the cut
/// months' days by day, so the answer equals the finest cells' over exactly the same days.
struct CubeQueryPlan {
    /// One table over the business days `[from, to)` (nil: unbounded).
    struct Part {
        /// The table to scan; `dimensions` are the business dimensions its keys hold, in order.
        var table: ReadModelTable<[String: Int64]>
        var dimensions: [CubeDimension]
        var from: Int64?
        var to: Int64?
    }

    var parts: [Part]

    /// The plan for `query`; with `rollUps` false, the finest cells only (the reference path).
    init(_ query: CubeQuery, rollUps: Bool = true) {
        let cube = query.cube
        let from = query.from.map(CubeCalendar.day)
        let to = query.to.map(CubeCalendar.day)
        let finest = Part(table: cube.table, dimensions: cube.dimensions, from: from, to: to)
        guard rollUps else {
            parts = [finest]
            return
        }
        let used = query.groupBy + query.filters.map(\.dimension) + (query.pivot.map { [$0] } ?? [])
        let needed = Set(used.filter { !$0.isTime })
        let available = CubeRollUp.byCube[cube] ?? []
        func part(_ grain: CubeDimension, _ from: Int64?, _ to: Int64?) -> Part? {
            guard let rollUp = available.first(where: { $0.grain == grain && $0.keeps(needed) }) else { return nil }
            return Part(table: rollUp.table, dimensions: rollUp.dimensions, from: from, to: to)
        }
        let byDay = part(.day, from, to) ?? finest
        guard !used.contains(.day), !used.contains(.week), let byMonth = part(.month, nil, nil) else {
            parts = [byDay]
            return
        }
        // Whole months within [from, to): from the first month starting on or after `from` to the
        // start of the month holding `to`.
        let monthsFrom = from.map { day in
            let start = CubeCalendar.monthStart(day)
            return start == day ? day : CubeCalendar.monthStart(start + 31)
        }
        let monthsTo = to.map(CubeCalendar.monthStart)
        if let monthsFrom, let monthsTo, monthsFrom >= monthsTo {
            parts = [byDay]
            return
        }
        var parts: [Part] = []
        if let from, let monthsFrom, monthsFrom > from { parts.append(Part(table: byDay.table, dimensions: byDay.dimensions, from: from, to: monthsFrom)) }
        parts.append(Part(table: byMonth.table, dimensions: byMonth.dimensions, from: monthsFrom, to: monthsTo))
        if let to, let monthsTo, monthsTo < to { parts.append(Part(table: byDay.table, dimensions: byDay.dimensions, from: monthsTo, to: to)) }
        self.parts = parts
    }
}
