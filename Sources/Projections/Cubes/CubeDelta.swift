/// What one fact added to one cell: the cube, the cell key and the measures. Facts keep the deltas
/// they added, so a retraction subtracts exactly those, whatever has changed since.
struct CubeDelta: Codable, Sendable, Equatable {
    var cube: CubeKind
    var key: String
    var measures: [String: Int64]
}

/// Collects a fact's contributions, adding up those that land in the same cell.
struct CubeDeltas {
    private var cells: [CubeKind: [String: [String: Int64]]] = [:]

    /// Adds `measures` to the cell `key` of `cube`; zero values are left out.
    mutating func add(_ cube: CubeKind, _ key: String, _ measures: [String: Int64]) {
        for (name, value) in measures where value != 0 {
            cells[cube, default: [:]][key, default: [:]][name, default: 0] += value
        }
    }

    /// The deltas in a stable order (cube, then key), so stored facts are equal bytes on a rebuild.
    var deltas: [CubeDelta] {
        var out: [CubeDelta] = []
        for cube in CubeKind.allCases {
            guard let byKey = cells[cube] else { continue }
            for key in byKey.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                let measures = byKey[key]!.filter { $0.value != 0 }
                if !measures.isEmpty { out.append(CubeDelta(cube: cube, key: key, measures: measures)) }
            }
        }
        return out
    }

    /// Applies `new − old` to the finest cells and to every roll-up cell they fall into (see
    /// `CubeRollUp`), through `ReadModelBatch.add`: the additions of a whole batch are merged into
    /// each cell once, a cell whose net change is zero is not written, and a cell is deleted when
    /// every measure reaches zero.
    static func replace(_ old: [CubeDelta], with new: [CubeDelta], in batch: inout ReadModelBatch) throws {
        guard old != new else { return }
        var net = CubeDeltas()
        for delta in old { net.add(delta.cube, delta.key, delta.measures.mapValues { -$0 }) }
        for delta in new { net.add(delta.cube, delta.key, delta.measures) }
        for delta in net.deltas {
            try batch.add(delta.cube.table, delta.key, delta.measures)
            let parts = ReadModelKey.split(delta.key)
            guard let day = ReadModelKey.number(parts[0]) else { continue }
            let monthStart = ReadModelKey.sortable(CubeCalendar.monthStart(day))
            for rollUp in CubeRollUp.byCube[delta.cube] ?? [] {
                try batch.add(rollUp.table, rollUp.key(finestParts: parts, start: rollUp.grain == .month ? monthStart : parts[0]), delta.measures)
            }
        }
    }
}
