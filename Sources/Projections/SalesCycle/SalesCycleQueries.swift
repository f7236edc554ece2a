import Domain

/// Questions answered by the sales cycle read model (live, as-of or scratch: each function takes
/// the generation's reader). Periods are `[from, to)` in business time (ms); every report is range
/// scans of the period tables, never a replay.
public enum SalesCycleQueries {
    /// One opportunity's cycle.
    public static func opportunity(_ reader: ReadModelReader, _ opportunityId: String) throws -> OpportunityCycle? {
        try reader.get(SalesCycleProjector.opportunities, opportunityId)
    }

    /// A customer's cycles in opening order, nil for a customer without any.
    public static func cycles(_ reader: ReadModelReader, customerId: String) throws -> CustomerSalesCycles? {
        guard let list = try reader.get(SalesCycleProjector.customers, customerId) else { return nil }
        var cycles: [OpportunityCycle] = []
        for entry in list.entries {
            if let cycle = try reader.get(SalesCycleProjector.opportunities, entry.opportunityId) { cycles.append(cycle) }
        }
        return CustomerSalesCycles(customerId: customerId, mergedInto: list.mergedInto, absorbed: list.absorbed, cycles: cycles)
    }

    /// Visits a period table's entries whose key starts with `prefix` + a time in `[from, to)`.
    static func scanPeriod<V>(_ reader: ReadModelReader, _ table: ReadModelTable<V>, prefix: String = "", from: Int64, to: Int64,
                              _ body: (V) throws -> Void) throws {
        let start = prefix + ReadModelKey.sortable(from - 1) + "\u{1}"
        let end = Array((prefix + ReadModelKey.sortable(to)).utf8)
        try reader.scan(table, prefix: prefix, after: start) { key, value in
            guard key.utf8.lexicographicallyPrecedes(end) else { return false }
            try body(value)
            return true
        }
    }

    /// The nearest-rank percentile `p` (0–100) of sorted values.
    static func percentile(_ sorted: [Int64], _ p: Int) -> Int64 {
        guard !sorted.isEmpty else { return 0 }
        let rank = (p * sorted.count + 99) / 100
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }

    /// Stage conversion per group: moves made in the period, and the reach of the cohort opened
    /// in the period (grouped by current owner).
    public static func stageConversion(_ reader: ReadModelReader, from: Int64, to: Int64, grouping: SalesCycleGrouping = .all) throws -> [StageConversionReport] {
        var moves: [String: [String: [String: Int]]] = [:]
        try scanPeriod(reader, SalesCycleProjector.moves, from: from, to: to) { (move: StageMove) in
            moves[grouping.group(ofOwner: move.ownerId), default: [:]][move.from, default: [:]][move.to, default: 0] += 1
        }
        var cohorts: [String: [OpportunityCycle]] = [:]
        var ids: [String] = []
        let start = ReadModelKey.sortable(from - 1) + "\u{1}"
        let end = Array(ReadModelKey.sortable(to).utf8)
        try reader.scan(SalesCycleProjector.opened, after: start) { key, _ in
            guard key.utf8.lexicographicallyPrecedes(end) else { return false }
            ids.append(ReadModelKey.split(key)[1])
            return true
        }
        for id in ids {
            guard let cycle = try reader.get(SalesCycleProjector.opportunities, id) else { continue }
            cohorts[grouping.group(ofOwner: cycle.ownerId), default: []].append(cycle)
        }
        let groups = Set(moves.keys).union(cohorts.keys).sorted()
        return groups.map { group in
            let cohort = cohorts[group] ?? []
            var order: [String] = []
            var known = Set<String>()
            for cycle in cohort { for stage in cycle.stageOrder where known.insert(stage).inserted { order.append(stage) } }
            var entered: [String: Int] = [:]
            var reach: [String: [String: Int]] = [:]
            for cycle in cohort {
                var path = cycle.visits.map(\.stage)
                if cycle.status == .won { path.append("won") }
                var seen = Set<String>()
                for (index, stage) in path.enumerated() where seen.insert(stage).inserted {
                    if known.insert(stage).inserted, stage != "won" { order.append(stage) }
                    entered[stage, default: 0] += 1
                    var later = Set<String>()
                    for target in path[(index + 1)...] where target != stage && later.insert(target).inserted {
                        reach[stage, default: [:]][target, default: 0] += 1
                    }
                }
            }
            order.append("won")
            let rank = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            func before(_ a: String, _ b: String) -> Bool { (rank[a] ?? Int.max, a) < (rank[b] ?? Int.max, b) }
            let enteredList = entered.keys.sorted(by: before).map {
                StageConversionReport.Entered(stage: $0, count: entered[$0]!, share: Double(entered[$0]!) / Double(max(1, cohort.count)))
            }
            var reachList: [StageConversionReport.Reach] = []
            for source in reach.keys.sorted(by: before) {
                for target in reach[source]!.keys.sorted(by: before) {
                    let count = reach[source]![target]!
                    reachList.append(.init(from: source, to: target, count: count, share: Double(count) / Double(entered[source]!)))
                }
            }
            var moveList: [StageConversionReport.Move] = []
            for (source, row) in moves[group] ?? [:] {
                for (target, count) in row { moveList.append(.init(from: source, to: target, count: count)) }
            }
            moveList.sort { before($0.from, $1.from) || $0.from == $1.from && before($0.to, $1.to) }
            return StageConversionReport(group: group, moves: moveList, cohort: cohort.count, entered: enteredList, reach: reachList)
        }
    }

    /// Time in stage per group (owner when the stage was left): the stays that ended in the
    /// period, one range scan per stage.
    public static func timeInStage(_ reader: ReadModelReader, from: Int64, to: Int64, grouping: SalesCycleGrouping = .all) throws -> [StageTimeReport] {
        var stageNames: [String] = []
        try reader.scan(SalesCycleProjector.stages) { key, _ in stageNames.append(key); return true }
        var values: [String: [String: [Int64]]] = [:]
        for stage in stageNames {
            try scanPeriod(reader, SalesCycleProjector.durations, prefix: ReadModelKey.prefix(stage), from: from, to: to) { (stay: StageDuration) in
                values[grouping.group(ofOwner: stay.ownerId), default: [:]][stage, default: []].append(stay.duration)
            }
        }
        return values.keys.sorted().map { group in
            let stages = values[group]!.keys.sorted().map { stage -> StageTimeReport.Stage in
                let sorted = values[group]![stage]!.sorted()
                return .init(stage: stage, count: sorted.count, averageMs: sorted.reduce(0, +) / Int64(sorted.count),
                             medianMs: percentile(sorted, 50), p90Ms: percentile(sorted, 90))
            }
            return StageTimeReport(group: group, stages: stages)
        }
    }

    /// Win rate per group (owner at the close) of the standing outcomes closed in the period.
    public static func winRate(_ reader: ReadModelReader, from: Int64, to: Int64, grouping: SalesCycleGrouping = .all) throws -> [WinRateReport] {
        var reports: [String: WinRateReport] = [:]
        try scanPeriod(reader, SalesCycleProjector.closes, from: from, to: to) { (close: CycleClose) in
            let group = grouping.group(ofOwner: close.ownerId)
            var report = reports[group] ?? WinRateReport(group: group, won: 0, lost: 0, rate: 0, wonMinorUnits: [:])
            if close.status == .won {
                report.won += 1
                report.wonMinorUnits[close.amount.currency, default: 0] += close.amount.minorUnits
            } else {
                report.lost += 1
            }
            report.rate = Double(report.won) / Double(report.won + report.lost)
            reports[group] = report
        }
        return reports.keys.sorted().map { reports[$0]! }
    }

    /// Histogram of cycle lengths (days from opening to the standing outcome) per group, for the
    /// opportunities closed in the period.
    public static func cycleLengths(_ reader: ReadModelReader, from: Int64, to: Int64, bucketDays: Int64 = 7,
                                    grouping: SalesCycleGrouping = .all) throws -> [CycleLengthHistogram] {
        let width = max(1, bucketDays)
        var closes: [String: [CycleClose]] = [:]
        try scanPeriod(reader, SalesCycleProjector.closes, from: from, to: to) { (close: CycleClose) in
            closes[grouping.group(ofOwner: close.ownerId), default: []].append(close)
        }
        return closes.keys.sorted().map { group in
            let items = closes[group]!
            let longest = items.map(\.days).max() ?? 0
            var buckets = (0...(max(0, longest) / width)).map {
                CycleLengthHistogram.Bucket(fromDays: $0 * width, toDays: ($0 + 1) * width, won: 0, lost: 0)
            }
            for close in items {
                let index = Int(max(0, close.days) / width)
                if close.status == .won { buckets[index].won += 1 } else { buckets[index].lost += 1 }
            }
            return CycleLengthHistogram(group: group, bucketDays: width, buckets: buckets, count: items.count,
                                        medianDays: percentile(items.map(\.days).sorted(), 50))
        }
    }
}
