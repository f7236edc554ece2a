import Domain
import EventStore
import Foundation
import Projections
import Testing

/// The analytics cubes over a generated company: totals, group-bys, slices, a time range and a
/// pivot equal the brute force; a rebuild reproduces the read model; as-of answers equal the
/// brute force over the truncated log.
@Suite("Analytics cubes")
struct CubeTests {
    static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text + "T00:00:00Z")! }

    /// The queries every test checks: roll-ups, drill-downs, slices, a range and pivots.
    static func queries() -> [CubeQuery] {
        var queries: [CubeQuery] = []
        for cube in CubeKind.allCases {
            queries.append(CubeQuery(cube: cube))
            queries.append(CubeQuery(cube: cube, groupBy: [.month, .region]))
            queries.append(CubeQuery(cube: cube, groupBy: [.team]))
            queries.append(CubeQuery(cube: cube, groupBy: [.year, .quarter, .manager]))
            queries.append(CubeQuery(cube: cube, groupBy: [.week], from: date("2023-03-01"), to: date("2023-09-15")))
            queries.append(CubeQuery(cube: cube, groupBy: [.segment], pivot: .quarter))
        }
        queries.append(CubeQuery(cube: .revenue, groupBy: [.product]))
        queries.append(CubeQuery(cube: .revenue, measures: ["ordersPlacedAmount", "paymentsReceived"], groupBy: [.product, .channel],
                                 filters: [.init(.region, ["north", "west"])]))
        queries.append(CubeQuery(cube: .revenue, groupBy: [.campaign], pivot: .team))
        queries.append(CubeQuery(cube: .pipeline, groupBy: [.stage], filters: [.init(.team, ["south"])], pivot: .year))
        queries.append(CubeQuery(cube: .pipeline, measures: ["won", "wonCycleDays", "wonAmount"], groupBy: [.team, .month]))
        queries.append(CubeQuery(cube: .service, measures: ["casesResolved", "resolutionMinutes", "csatSum", "surveysAnswered"],
                                 groupBy: [.channel], pivot: .team))
        queries.append(CubeQuery(cube: .customer, groupBy: [.state, .segment], filters: [.init(.month, ["2023-01", "2023-02"])]))
        return queries
    }

    @Test("every query over a generated company equals the brute force; the cubes are not trivial")
    func generatedCompany() async throws {
        let log = try await CompanyLog(customers: 40, years: 2)
        let engine = try log.engine([CubeProjector()], batchSize: 97)
        try engine.catchUp()
        let facts = CubeBruteForce(try log.events()).facts
        try engine.read("cubes") { reader in
            #expect(reader.position == log.head)
            for query in Self.queries() { expectCubeAnswer(try query.answer(reader), query, facts) }
            // Something to compare: several teams, products and months, money per currency.
            let byTeam = try CubeQuery(cube: .revenue, measures: ["ordersPlacedAmount"], groupBy: [.team]).answer(reader)
            #expect(byTeam.rows.filter { !$0.key[0].isEmpty }.count == 3)
            #expect((byTeam.totals["ordersPlacedAmount.EUR"] ?? 0) > 0)
            let pipeline = try CubeQuery(cube: .pipeline).answer(reader)
            #expect((pipeline.totals["won"] ?? 0) > 0 && (pipeline.totals["lost"] ?? 0) > 0)
            let service = try CubeQuery(cube: .service, groupBy: [.team]).answer(reader)
            #expect((service.totals["casesResolved"] ?? 0) > 0)
            #expect(service.rows.first { !$0.key[0].isEmpty }?.ratio("resolutionMinutes", "casesResolved") != nil)
            let customers = try CubeQuery(cube: .customer, groupBy: [.state]).answer(reader)
            #expect(customers.rows.map { $0.key[0] }.contains("active"))
            #expect(customers.totals["activeCustomers"] == customers.rows.first { $0.key == ["active"] }?.values["customers"])
        }
    }

    @Test("roll-up: a coarser grouping sums the finer one; drill-down splits it")
    func rollUp() async throws {
        let log = try await CompanyLog(customers: 25, years: 1, seed: 5)
        let engine = try log.engine([CubeProjector()], batchSize: 97)
        try engine.catchUp()
        try engine.read("cubes") { reader in
            for cube in CubeKind.allCases {
                let fine = try CubeQuery(cube: cube, groupBy: [.day, .manager]).answer(reader)
                let coarse = try CubeQuery(cube: cube, groupBy: [.quarter]).answer(reader)
                var summed: [String: [String: Int64]] = [:]
                for row in fine.rows {
                    let quarter = CubeCalendar.label(CubeCalendar.day(Self.date(row.key[0])), .quarter)
                    summed[quarter, default: [:]].merge(row.values, uniquingKeysWith: +)
                }
                #expect(summed == Dictionary(uniqueKeysWithValues: coarse.rows.map { ($0.key[0], $0.values) }))
                #expect(fine.totals == coarse.totals)
            }
            #expect(throws: CubeQueryError.unknownDimension(cube: .service, dimension: .product)) {
                try CubeQuery(cube: .service, groupBy: [.product]).answer(reader)
            }
            #expect(throws: CubeQueryError.unknownMeasure(cube: .customer, measure: "won")) {
                try CubeQuery(cube: .customer, measures: ["won"]).answer(reader)
            }
        }
    }

    @Test("a rebuild reproduces the cubes byte for byte; as of a position equals the brute force of the log up to there")
    func rebuildAndAsOf() async throws {
        let log = try await CompanyLog(customers: 30, years: 1, seed: 7)
        let engine = try log.engine([CubeProjector()], batchSize: 97)
        try engine.catchUp()
        try engine.rebuild("cubes")
        try engine.catchUp()
        let status = try engine.status(of: "cubes")
        #expect(status.lastRebuild?.checksumsMatch == true)
        #expect(status.checkpoint == log.head)

        for position in [log.head / 3, log.head * 2 / 3] {
            let snapshot = try await engine.asOf("cubes", position: position)
            let facts = CubeBruteForce(try log.events(through: position)).facts
            try snapshot.read { reader in
                #expect(reader.position == position)
                for query in Self.queries() { expectCubeAnswer(try query.answer(reader), query, facts) }
            }
        }
    }
}
