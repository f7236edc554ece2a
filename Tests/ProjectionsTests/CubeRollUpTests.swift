import Domain
import EventStore
import Foundation
@testable import Projections
import Testing

/// Checks that every roll-up table of every cube holds exactly the finest cells summed into its
/// keys (recomputed here from the finest table, with the month computed by Foundation's calendar),
/// and no other cell.
func expectRollUpsMatchFinestCells(_ reader: ReadModelReader, sourceLocation: SourceLocation = #_sourceLocation) throws {
    for cube in CubeKind.allCases {
        var finest: [(day: Int64, parts: [String], cell: [String: Int64])] = []
        try reader.scan(cube.table) { key, cell in
            let parts = ReadModelKey.split(key)
            finest.append((ReadModelKey.number(parts[0])!, parts, cell))
            return true
        }
        let rollUps = CubeRollUp.all(of: cube)
        #expect(rollUps.count > 1, sourceLocation: sourceLocation)
        for rollUp in rollUps {
            var expected: [String: [String: Int64]] = [:]
            for (day, parts, cell) in finest {
                let start = rollUp.grain == .month ? CubeRollUpTests.monthStart(day) : day
                let values = rollUp.dimensions.map { parts[1 + cube.dimensions.firstIndex(of: $0)!] }
                let key = ReadModelKey.sortable(start) + "\u{0}" + values.joined(separator: "\u{0}")
                expected[key, default: [:]].merge(cell, uniquingKeysWith: +)
            }
            var stored: [String: [String: Int64]] = [:]
            try reader.scan(rollUp.table) { key, cell in
                stored[key] = cell
                return true
            }
            #expect(stored == expected, "\(rollUp.table.name)", sourceLocation: sourceLocation)
        }
    }
}

/// Answers `query` from the roll-ups and from the finest cells: the answers must be equal, and
/// equal to the brute force.
func expectRollUpAnswer(_ query: CubeQuery, _ reader: ReadModelReader, _ facts: [CubeBruteForce.Fact],
                        sourceLocation: SourceLocation = #_sourceLocation) throws {
    let fromRollUps = try query.answer(reader)
    let fromFinest = try query.answer(reader, rollUps: false)
    #expect(fromRollUps == fromFinest, "\(query)", sourceLocation: sourceLocation)
    expectCubeAnswer(fromRollUps, query, facts, sourceLocation: sourceLocation)
}

@Suite("Analytics cubes: roll-ups")
struct CubeRollUpTests {
    static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text.count == 10 ? text + "T00:00:00Z" : text)! }

    /// The first day of the month of `day`, by Foundation's calendar (independent of `CubeCalendar`).
    static func monthStart(_ day: Int64) -> Int64 {
        let date = Date(timeIntervalSince1970: Double(day) * 86_400)
        let components = CubeBruteForce.calendar.dateComponents([.year, .month], from: date)
        return Int64((CubeBruteForce.calendar.date(from: components)!.timeIntervalSince1970 / 86_400).rounded(.down))
    }

    /// Queries that take every branch of the plan: whole history by month, quarter and year; one
    /// and two dimensions; a restricted caller's manager filter; ranges cutting months at either
    /// end or both, whole months, open on one side, within one month, empty; time filters; day
    /// and week (by day); three dimensions (the finest cells).
    static func queries(managers: [String]) -> [CubeQuery] {
        var queries: [CubeQuery] = []
        let scope = CubeQuery.Filter(.manager, managers)
        for cube in CubeKind.allCases {
            let first = cube.dimensions[0], last = cube.dimensions.last!
            queries += [
                CubeQuery(cube: cube, groupBy: [.month, .region]),
                CubeQuery(cube: cube, groupBy: [.quarter, .team], filters: [scope]),
                CubeQuery(cube: cube, groupBy: [.year, last], pivot: .segment),
                CubeQuery(cube: cube, groupBy: [first, last]),
                CubeQuery(cube: cube, groupBy: [.region], filters: [scope], from: date("2023-02-14"), to: date("2023-11-03")),
                CubeQuery(cube: cube, groupBy: [.month], from: date("2023-03-01"), to: date("2023-07-01")),
                CubeQuery(cube: cube, groupBy: [.month, .channel], from: date("2023-05-17")),
                CubeQuery(cube: cube, groupBy: [.quarter], to: date("2023-08-20T15:30:00Z")),
                CubeQuery(cube: cube, groupBy: [.segment], from: date("2023-04-03"), to: date("2023-04-29")),
                CubeQuery(cube: cube, groupBy: [.segment], from: date("2023-06-01"), to: date("2023-05-01")),
                CubeQuery(cube: cube, groupBy: [.team], filters: [.init(.month, ["2023-01", "2023-06"]), .init(.year, ["2023"])]),
                CubeQuery(cube: cube, groupBy: [.week], from: date("2023-03-01"), to: date("2023-09-15")),
                CubeQuery(cube: cube, groupBy: [.day, .manager], filters: [scope]),
                CubeQuery(cube: cube, groupBy: [.region], filters: [.init(.week, ["2023-W10", "2023-W11"])]),
                CubeQuery(cube: cube, groupBy: [.month, .manager, .region, .segment]),
                CubeQuery(cube: cube, groupBy: [.manager, .region], filters: [.init(.segment, ["smb", ""])]),
            ]
        }
        queries.append(CubeQuery(cube: .revenue, measures: ["ordersPlacedAmount"], groupBy: [.month, .product], filters: [scope], pivot: .quarter))
        queries.append(CubeQuery(cube: .pipeline, measures: ["won", "wonAmount"], groupBy: [.stage], pivot: .team))
        return queries
    }

    @Test("the first day of a month agrees with Foundation's calendar")
    func monthStarts() {
        for day in Int64(-800)...Int64(800) + 19_000 where day < -700 || day > 18_900 || day % 7 == 0 {
            #expect(CubeCalendar.monthStart(day) == Self.monthStart(day), "day \(day)")
        }
    }

    @Test("the plan reads the smallest table that keeps what the query needs, by month where it can")
    func plans() {
        func tables(_ query: CubeQuery) -> [String] { CubeQueryPlan(query).parts.map(\.table.name) }
        func ranges(_ query: CubeQuery) -> [String] {
            CubeQueryPlan(query).parts.map { "\($0.from.map { CubeCalendar.label($0, .day) } ?? "…")..\($0.to.map { CubeCalendar.label($0, .day) } ?? "…")" }
        }
        #expect(tables(CubeQuery(cube: .revenue, groupBy: [.month, .region])) == ["revenueCells.month.region"])
        #expect(tables(CubeQuery(cube: .revenue)) == ["revenueCells.month"])
        #expect(tables(CubeQuery(cube: .revenue, groupBy: [.region, .manager], pivot: .year)) == ["revenueCells.month.manager.region"])
        #expect(tables(CubeQuery(cube: .revenue, groupBy: [.region], filters: [.init(.manager, ["m1"])], pivot: .segment)) == ["revenueCells"])
        #expect(tables(CubeQuery(cube: .service, groupBy: [.week])) == ["serviceCells.day"])
        #expect(tables(CubeQuery(cube: .pipeline, groupBy: [.day], filters: [.init(.stage, ["won"])])) == ["pipelineCells.day.stage"])
        #expect(tables(CubeQuery(cube: .pipeline, groupBy: [.day, .stage, .team])) == ["pipelineCells"])
        #expect(CubeQueryPlan(CubeQuery(cube: .revenue, groupBy: [.month, .region]), rollUps: false).parts.map(\.table.name) == ["revenueCells"])

        let cut = CubeQuery(cube: .customer, groupBy: [.state], from: Self.date("2023-02-14"), to: Self.date("2023-11-03"))
        #expect(tables(cut) == ["customerCells.day.state", "customerCells.month.state", "customerCells.day.state"])
        #expect(ranges(cut) == ["2023-02-14..2023-03-01", "2023-03-01..2023-11-01", "2023-11-01..2023-11-03"])
        #expect(ranges(CubeQuery(cube: .customer, from: Self.date("2023-03-01"), to: Self.date("2023-07-01"))) == ["2023-03-01..2023-07-01"])
        #expect(ranges(CubeQuery(cube: .customer, from: Self.date("2023-12-31"))) == ["2023-12-31..2024-01-01", "2024-01-01..…"])
        #expect(ranges(CubeQuery(cube: .customer, to: Self.date("2023-12-31"))) == ["…..2023-12-01", "2023-12-01..2023-12-31"])
        #expect(tables(CubeQuery(cube: .customer, from: Self.date("2023-04-03"), to: Self.date("2023-04-29"))) == ["customerCells.day"])
    }

    @Test("over a generated company every roll-up holds the finest cells summed, and every query equals the finest cells and the brute force")
    func generatedCompany() async throws {
        let log = try await CompanyLog(customers: 40, years: 2)
        let engine = try log.engine([CubeProjector()], batchSize: 97)
        try engine.catchUp()
        let facts = CubeBruteForce(try log.events()).facts
        try engine.read("cubes") { reader in
            try expectRollUpsMatchFinestCells(reader)
            let managers = try CubeQuery(cube: .revenue, groupBy: [.manager]).answer(reader).rows.map { $0.key[0] }.filter { !$0.isEmpty }
            #expect(managers.count >= 4)
            for query in Self.queries(managers: Array(managers.prefix(4))) + CubeTests.queries() {
                try expectRollUpAnswer(query, reader, facts)
            }
            // Fewer cells to read (at 1.9M events: 150 against 88,000; here the company is small).
            let finest = try reader.count(CubeKind.revenue.table)
            let byMonthAndRegion = try reader.count(CubeRollUp(.revenue, .month, [.region]).table)
            #expect(byMonthAndRegion > 0 && byMonthAndRegion * 2 < finest)
        }
    }

    @Test("as of a position, the roll-ups hold that position's finest cells and answer like the brute force of the log up to there")
    func asOf() async throws {
        let log = try await CompanyLog(customers: 25, years: 1, seed: 5)
        let engine = try log.engine([CubeProjector()], batchSize: 61)
        try engine.catchUp()
        let position = log.head / 2
        let snapshot = try await engine.asOf("cubes", position: position)
        let facts = CubeBruteForce(try log.events(through: position)).facts
        try snapshot.read { reader in
            #expect(reader.position == position)
            try expectRollUpsMatchFinestCells(reader)
            let managers = try CubeQuery(cube: .revenue, groupBy: [.manager]).answer(reader).rows.map { $0.key[0] }.filter { !$0.isEmpty }
            for query in Self.queries(managers: Array(managers.prefix(2))) { try expectRollUpAnswer(query, reader, facts) }
        }
    }
}
