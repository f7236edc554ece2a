import Domain
import EventStore
import Foundation
import Projections
import Testing

/// Hand-written histories whose later events take back what earlier ones contributed: a won
/// deal reopened, a stage moved back, an amount corrected, a duplicate with orders merged, a
/// resolved case reopened, an order cancelled, a manager moving teams. After every step the cubes
/// equal the brute force, and the step's own effect is checked by name.
/// A hand-written history on an empty log, with the business clock it moves forward.
final class CubeScript {
    let log: CompanyLog
    let engine: ProjectionEngine
    var now = ISO8601DateFormatter().date(from: "2024-01-08T09:00:00Z")!
    let metadata = AppendMetadata(actor: Actor(id: "tester", role: "admin"), source: Source(clientAddress: "192.0.2.1", userAgent: "tests", host: "test"))

    init() throws {
        log = try CompanyLog(empty: ())
        engine = try log.engine([CubeProjector()], batchSize: 3)
    }

    func run<C: DomainCommand>(_ command: C, after days: Double = 0) async throws {
        now += days * 86_400
        _ = try await log.handler.execute(command, context: DecisionContext(now: now), metadata: metadata)
    }

    func register(_ id: String, channel: AcquisitionChannel, after days: Double = 0) async throws {
        now += days * 86_400
        _ = try await log.customers.register(RegisterCustomer(customerId: id, kind: .organisation, name: "Firm \(id)", organisation: "Firm \(id) GmbH",
                                                              email: "\(id)@example.com", channel: channel, registerAnyway: true),
                                             context: DecisionContext(now: now), metadata: metadata)
    }

    /// Catches up and checks every cube against the brute force; returns `query`'s answer.
    @discardableResult
    func check(_ query: CubeQuery, sourceLocation: SourceLocation = #_sourceLocation) throws -> CubeAnswer {
        try engine.catchUp()
        let facts = CubeBruteForce(try log.events()).facts
        return try engine.read("cubes") { reader in
            for cube in CubeKind.allCases {
                for groupBy in [[], [CubeDimension.day, .team, .manager, .region]] {
                    let q = CubeQuery(cube: cube, groupBy: groupBy)
                    expectCubeAnswer(try q.answer(reader), q, facts, sourceLocation: sourceLocation)
                }
            }
            let answer = try query.answer(reader)
            expectCubeAnswer(answer, query, facts, sourceLocation: sourceLocation)
            // The roll-ups took back exactly what the finest cells did.
            try expectRollUpsMatchFinestCells(reader, sourceLocation: sourceLocation)
            #expect(answer == (try query.answer(reader, rollUps: false)), sourceLocation: sourceLocation)
            return answer
        }
    }

    func eur(_ amount: String) throws -> Money { try Money(amount, "EUR") }

}

@Suite("Analytics cubes: retractions")
struct CubeRetractionTests {
    @Test("reopen, stage back, corrected amount, merge with orders, case reopened, cancellation, team move")
    func retractions() async throws {
        let script = try CubeScript()
        let (log, engine) = (script.log, script.engine)
        func run<C: DomainCommand>(_ command: C, after days: Double = 0) async throws { try await script.run(command, after: days) }
        func register(_ id: String, channel: AcquisitionChannel, after days: Double = 0) async throws { try await script.register(id, channel: channel, after: days) }
        func check(_ query: CubeQuery, sourceLocation: SourceLocation = #_sourceLocation) throws -> CubeAnswer { try script.check(query, sourceLocation: sourceLocation) }
        func eur(_ amount: String) throws -> Money { try script.eur(amount) }
        try await run(DefineTeam(teamId: "north", name: "Team North", region: "north"))
        try await run(DefineTeam(teamId: "south", name: "Team South", region: "south"))
        try await run(AssignManagerToTeam(teamId: "north", managerId: "m1"))
        try await run(AssignManagerToTeam(teamId: "south", managerId: "m2"))
        try await run(DefineSalesProcess(processId: "p", name: "Process", stages: [
            SalesStage(name: "qualification", winProbability: 10), SalesStage(name: "proposal", winProbability: 50),
            SalesStage(name: "negotiation", winProbability: 80)]))
        try await register("c1", channel: .referral)
        try await run(ClassifyCustomer(customerId: "c1", classification: Classification(segment: "smb", region: "north", industry: "retail", size: "small", tier: "silver")))
        try await run(AssignCustomerManager(customerId: "c1", managerId: "m1"))
        try await register("c2", channel: .webForm, after: 1)

        // Orders of both; the duplicate also pays.
        try await run(PlaceOrder(orderId: "o1", customerId: "c1", lines: [
            SalesLineItem(productId: "A", quantity: 2, unitPrice: try eur("100.00")), SalesLineItem(productId: "B", quantity: 1, unitPrice: try eur("50.00"))]))
        try await run(PlaceOrder(orderId: "o2", customerId: "c2", lines: [SalesLineItem(productId: "C", quantity: 1, unitPrice: try eur("30.00"))]), after: 1)
        try await run(IssueInvoice(invoiceId: "i2", customerId: "c2", orderId: "o2", total: try eur("30.00"), issueDate: script.now, dueDate: script.now + 14 * 86_400))
        try await run(RecordPayment(invoiceId: "i2", paymentId: "pay1", amount: try eur("30.00"), method: .card), after: 1)
        var revenue = try check(CubeQuery(cube: .revenue, groupBy: [.region, .product]))
        #expect(revenue.rows.first { $0.key == ["", "C"] }?.values["ordersPlacedAmount.EUR"] == 3000)
        #expect(revenue.rows.first { $0.key == ["north", "A"] }?.values["ordersPlacedAmount.EUR"] == 20000)
        #expect(revenue.rows.first { $0.key == ["north", "A"] }?.values["ordersPlaced"] == 1)
        #expect(revenue.rows.first { $0.key == ["north", "B"] }?.values["ordersPlaced"] == nil)

        // A deal: forward, back, corrected, won, reopened, lost.
        try await run(OpenOpportunity(opportunityId: "d1", customerId: "c1", processId: "p", title: "Deal", cycleKind: .newBusiness,
                                      amount: try eur("1000.00"), expectedCloseDate: script.now + 30 * 86_400, ownerId: "m1"))
        try await run(MoveOpportunityStage(opportunityId: "d1", toStage: "proposal"), after: 1)
        var pipeline = try check(CubeQuery(cube: .pipeline, groupBy: [.stage]))
        #expect(pipeline.rows.map(\.key) == [["proposal"], ["qualification"]])
        #expect(pipeline.rows[0].values == ["openOpportunities": 1, "openAmount.EUR": 100_000])
        #expect(pipeline.rows[1].values == ["opportunitiesCreated": 1, "createdAmount.EUR": 100_000])
        try await run(MoveOpportunityStage(opportunityId: "d1", toStage: "qualification", reason: "budget re-evaluated"), after: 1)
        pipeline = try check(CubeQuery(cube: .pipeline, groupBy: [.stage]))
        #expect(pipeline.rows.map(\.key) == [["qualification"]])
        #expect(pipeline.totals["openOpportunities"] == 1)
        try await run(ChangeOpportunityAmount(opportunityId: "d1", amount: try eur("1200.00"), reason: "more seats"))
        pipeline = try check(CubeQuery(cube: .pipeline))
        #expect(pipeline.totals["createdAmount.EUR"] == 120_000)
        #expect(pipeline.totals["openAmount.EUR"] == 120_000)
        try await run(WinOpportunity(opportunityId: "d1", amount: try eur("1100.00"), productIds: ["A"]), after: 3)
        pipeline = try check(CubeQuery(cube: .pipeline, groupBy: [.team]))
        #expect(pipeline.rows.map(\.key) == [["north"]])
        #expect(pipeline.totals["won"] == 1 && pipeline.totals["wonAmount.EUR"] == 110_000 && pipeline.totals["wonCycleDays"] == 5)
        #expect(pipeline.totals["openOpportunities"] == nil)
        try await run(ReopenOpportunity(opportunityId: "d1", reason: "contract not signed"), after: 1)
        pipeline = try check(CubeQuery(cube: .pipeline))
        #expect(pipeline.totals["won"] == nil && pipeline.totals["wonAmount.EUR"] == nil)
        #expect(pipeline.totals["openOpportunities"] == 1)
        try await run(LoseOpportunity(opportunityId: "d1", reason: "chose a competitor"), after: 1)
        pipeline = try check(CubeQuery(cube: .pipeline))
        #expect(pipeline.totals["lost"] == 1 && pipeline.totals["lostAmount.EUR"] == 120_000 && pipeline.totals["lostCycleDays"] == 7)

        // The duplicate is merged: its order and payment move to the survivor's dimensions, and it
        // no longer counts as a new customer.
        var customers = try check(CubeQuery(cube: .customer, groupBy: [.region]))
        #expect(customers.totals["newCustomers"] == 2)
        script.now += 86_400
        _ = try await log.customers.merge(MergeCustomers(survivorId: "c1", absorbedId: "c2", reason: "same firm"),
                                          context: DecisionContext(now: script.now), metadata: script.metadata)
        customers = try check(CubeQuery(cube: .customer, groupBy: [.region]))
        #expect(customers.rows.map(\.key) == [["north"]])
        #expect(customers.totals["newCustomers"] == 1 && customers.totals["duplicatesMerged"] == 1)
        revenue = try check(CubeQuery(cube: .revenue, groupBy: [.region, .manager, .channel]))
        #expect(revenue.rows.map(\.key) == [["north", "m1", "referral"]])
        #expect(revenue.totals["ordersPlacedAmount.EUR"] == 28_000 && revenue.totals["paymentsReceivedAmount.EUR"] == 3_000)

        // A case resolved, reopened (its resolution retracted), resolved again.
        try await run(OpenCase(caseId: "k1", customerId: "c1", channel: .call, category: .technical, priority: .normal,
                               isComplaint: true, subject: "Broken", description: "It broke"))
        try await run(AssignCase(caseId: "k1", agentId: "a1"))
        try await run(RecordFirstResponse(caseId: "k1"), after: 0.1)
        try await run(ResolveCase(caseId: "k1", resolution: "restarted"), after: 1)
        var service = try check(CubeQuery(cube: .service, groupBy: [.channel]))
        #expect(service.totals["casesResolved"] == 1)
        try await run(ReopenCase(caseId: "k1", reason: "broke again"), after: 1)
        service = try check(CubeQuery(cube: .service, groupBy: [.channel]))
        #expect(service.totals["casesResolved"] == nil && service.totals["resolutionMinutes"] == nil)
        #expect(service.rows.map(\.key) == [["call"]] && service.totals["complaints"] == 1)
        try await run(ResolveCase(caseId: "k1", resolution: "replaced"), after: 2)
        service = try check(CubeQuery(cube: .service, groupBy: [.day]))
        #expect(service.totals["casesResolved"] == 1)
        #expect(service.rows.last?.values["casesResolved"] == 1)

        // The manager moves to the south team: later orders go to south, earlier ones stay north.
        try await run(AssignManagerToTeam(teamId: "south", managerId: "m1"), after: 1)
        try await run(PlaceOrder(orderId: "o3", customerId: "c1", lines: [SalesLineItem(productId: "A", quantity: 1, unitPrice: try eur("100.00"))]))
        revenue = try check(CubeQuery(cube: .revenue, measures: ["ordersPlaced"], groupBy: [.team]))
        #expect(revenue.rows.map(\.key) == [["north"], ["south"]])
        #expect(revenue.rows.map { $0.values["ordersPlaced"] } == [2, 1])

        // Cancelling an order, and the customer leaving.
        try await run(CancelOrder(orderId: "o1", reason: "budget cut"), after: 1)
        try await run(SetCustomerActive(customerId: "c1", active: false, reason: "moved to a competitor"), after: 1)
        revenue = try check(CubeQuery(cube: .revenue, groupBy: [.month]))
        #expect(revenue.totals["ordersCancelled"] == 1 && revenue.totals["ordersCancelledAmount.EUR"] == 25_000)
        customers = try check(CubeQuery(cube: .customer, groupBy: [.state, .team]))
        #expect(customers.rows.map(\.key) == [["inactive", "south"]])
        #expect(customers.totals["churned"] == 1 && customers.totals["activeCustomers"] == nil)

        // Every step was incremental; a rebuild gives the same bytes.
        try engine.rebuild("cubes")
        try engine.catchUp()
        #expect(try engine.status(of: "cubes").lastRebuild?.checksumsMatch == true)
    }
}
