/// A cube's cells summed over coarser time and fewer dimensions, kept in a table of its own and
/// maintained in the same transaction as the finest cells, so a question that needs neither the
/// day nor most dimensions reads a few hundred cells instead of every finest cell.
///
/// A roll-up cell's key is the first business day of its period (`sortable(day)`: the day itself
/// at day grain, the first of the month at month grain), a NUL, then the values of the roll-up's
/// dimensions in the cube's dimension order (joined by NUL). Because every label of a coarser
/// grain (month, quarter, year) is a function of that first day, a month cell answers month,
/// quarter and year questions with the same code as a finest cell.
///
/// Exactness: every change of the finest cells (`CubeDeltas.replace`) adds the same net deltas to
/// each roll-up cell its keys map to, and a cell is deleted when all its measures are zero. Every
/// measure of every fact is a count or a non-negative amount, number of units, minutes or days, so
/// a roll-up cell holds exactly the sum of the finest cells it covers, and a measure is absent from
/// it exactly when it is absent from all of them. A query answered from a roll-up is therefore equal
/// to the same query answered from the finest cells (the tests compare both with a brute force).
struct CubeRollUp: Sendable {
    /// The period of a cell: `.day` or `.month`.
    let grain: CubeDimension
    /// The business dimensions the cells keep, in the cube's dimension order.
    let dimensions: [CubeDimension]
    /// Where each of `dimensions` is in the finest cell key's dimension list.
    let positions: [Int]
    /// The table of the cells.
    let table: ReadModelTable<[String: Int64]>

    /// A roll-up of `cube` at `grain` keeping `dimensions` (given in any order).
    init(_ cube: CubeKind, _ grain: CubeDimension, _ dimensions: [CubeDimension]) {
        precondition(grain == .day || grain == .month, "roll-ups are kept by day or by month")
        let stored = cube.dimensions
        self.grain = grain
        self.dimensions = stored.filter(dimensions.contains)
        positions = self.dimensions.map { stored.firstIndex(of: $0)! }
        table = ReadModelTable(([cube.table.name, grain.rawValue] + self.dimensions.map(\.rawValue)).joined(separator: "."))
    }

    /// Whether the roll-up keeps every one of `needed` (business dimensions).
    func keeps(_ needed: Set<CubeDimension>) -> Bool { needed.isSubset(of: dimensions) }

    /// The first day of the period that holds `day`.
    func periodStart(_ day: Int64) -> Int64 { grain == .month ? CubeCalendar.monthStart(day) : day }

    /// The key of the roll-up cell a finest cell falls into, given the finest key's parts
    /// (`[sortable(day), dimension values…]`) and the `sortable` form of its period's first day.
    func key(finestParts parts: [String], start: String) -> String {
        var key = start
        key.append("\u{0}")
        for (i, position) in positions.enumerated() {
            if i > 0 { key.append("\u{0}") }
            key.append(parts[1 + position])
        }
        return key
    }

    /// The roll-ups kept for `cube`, smallest first (a query takes the first that keeps what it
    /// needs): by month, the totals, each dimension alone and every pair of dimensions; by day,
    /// the totals and each dimension alone.
    ///
    /// Why these: cells by month and by one or two dimensions number a few hundred to a few
    /// thousand over years (the finest cells number in the hundreds of thousands at 1M events),
    /// and one or two dimensions cover what an analyst groups, filters and pivots by most,
    /// including a restricted caller's manager filter plus one dimension. Each roll-up costs one
    /// more cell update per changed finest cell when events are applied (measured in
    /// BENCHMARKS.md); a question needing three or more dimensions, or the day or week with two or
    /// more, reads the finest cells as before.
    static func all(of cube: CubeKind) -> [CubeRollUp] {
        let stored = cube.dimensions
        var out = [CubeRollUp(cube, .month, [])]
        out += stored.map { CubeRollUp(cube, .month, [$0]) }
        for (i, first) in stored.enumerated() {
            for second in stored[(i + 1)...] { out.append(CubeRollUp(cube, .month, [first, second])) }
        }
        out.append(CubeRollUp(cube, .day, []))
        out += stored.map { CubeRollUp(cube, .day, [$0]) }
        return out
    }

    /// Every cube's roll-ups, computed once.
    static let byCube: [CubeKind: [CubeRollUp]] = Dictionary(uniqueKeysWithValues: CubeKind.allCases.map { ($0, all(of: $0)) })
}
