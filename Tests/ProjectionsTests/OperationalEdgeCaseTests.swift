@testable import Domain
import EventStore
import Foundation
@testable import Projections
import Testing

/// Hand-written event sequences for what a generated company rarely shows: merges, retractions
/// (stage moved back, amount corrected, won deal reopened, order cancelled, case reopened,
/// task reassigned) and campaign attribution of direct orders.
@Suite("Operational views: edge cases")
struct OperationalEdgeCaseTests {
    static let metadata = AppendMetadata(actor: Actor(id: "tester", role: "admin"),
                                         source: Source(clientAddress: "127.0.0.1", userAgent: "tests", host: "localhost"))
    static let t0 = Date(timeIntervalSince1970: 1_700_000_000)
    static func at(_ hours: Double) -> Date { t0.addingTimeInterval(hours * 3600) }
    static func eur(_ minor: Int64) -> Money { try! Money(minorUnits: minor, currency: "EUR") }
    static let stages = [SalesStage(name: "qualification", winProbability: 10), SalesStage(name: "proposal", winProbability: 60),
                         SalesStage(name: "closing", winProbability: 90)]

    /// Appends events, each to the stream its category and id name.
    static func append(_ log: CompanyLog, _ stream: String, _ events: any DomainEvent...) async throws {
        _ = try await log.store.append(stream, try events.map { try EventRegistry.domain.encode($0) }, expected: .any, metadata: metadata)
    }

    static func register(_ log: CompanyLog, _ id: String, _ name: String, hours: Double, campaign: String? = nil) async throws {
        try await append(log, Customer.stream(id),
                         CustomerRegistered(customerId: id, kind: .organisation, name: name, organisation: name, email: nil, phone: nil,
                                            address: nil, channel: campaign == nil ? .webForm : .campaign, sourceCampaignId: campaign, occurredAt: at(hours)),
                         CustomerClassified(customerId: id, classification: Classification(segment: "smb", region: "north", industry: "retail",
                                                                                          size: "small", tier: "ordinary"), previous: nil, occurredAt: at(hours)))
    }

    static func open(_ log: CompanyLog, _ id: String, customer: String, owner: String, amount: Int64, hours: Double, lead: String? = nil) async throws {
        try await append(log, Opportunity.stream(id),
                         OpportunityOpened(opportunityId: id, customerId: customer, leadId: lead, title: "Deal \(id)", processId: "p", processVersion: 1,
                                           stages: stages, allowsSkipping: true, stage: "qualification", cycleKind: .newBusiness, amount: eur(amount),
                                           expectedCloseDate: at(24 * 40), ownerId: owner, fields: [:], occurredAt: at(hours)))
    }

    func views(_ log: CompanyLog, _ engine: ProjectionEngine, customer: String) throws -> (Customer360?, OperationalWorld) {
        try engine.catchUp()
        let world = OperationalWorld(try log.events())
        var view = try engine.read("customer360") { try Customer360.query($0, customerId: customer) }
        view?.position = 0
        #expect(view == world.expected360(customer))
        try engine.read("customer360") { try OperationalTests.checkList($0, world) }
        try engine.read("pipeline") { try OperationalTests.checkPipeline($0, world) }
        try engine.read("campaigns") { try OperationalTests.checkCampaigns($0, world) }
        return (view, world)
    }

    @Test("merge: the survivor's 360 takes over open opportunities, cases, balances and interactions; the absorbed leaves the list")
    func merge() async throws {
        let log = try CompanyLog(empty: ())
        let engine = try log.engine(OperationalProjectors.all, batchSize: 3)
        try await Self.register(log, "A", "Acme", hours: 0)
        try await Self.register(log, "B", "Acme Ltd", hours: 1)
        try await Self.append(log, Customer.stream("B"), CustomerManagerAssigned(customerId: "B", managerId: "m1", previousManagerId: nil, occurredAt: Self.at(1)))
        try await Self.open(log, "O1", customer: "B", owner: "m1", amount: 100_000, hours: 2)
        try await Self.open(log, "O2", customer: "A", owner: "m2", amount: 50_000, hours: 3)
        try await Self.append(log, ServiceCase.stream("K1"),
                              CaseOpened(caseId: "K1", customerId: "B", channel: .call, category: .billing, priority: .high, isComplaint: true,
                                         subject: "Wrong bill", description: "", firstResponseDueAt: Self.at(6), resolutionDueAt: Self.at(28), occurredAt: Self.at(4)))
        try await Self.append(log, Invoice.stream("I1"),
                              InvoiceIssued(invoiceId: "I1", customerId: "B", orderId: nil, lines: [], total: Self.eur(80_000), issueDate: Self.at(5),
                                            dueDate: Self.at(24 * 30), occurredAt: Self.at(5)),
                              InvoiceMarkedOverdue(invoiceId: "I1", customerId: "B", outstanding: Self.eur(80_000), dueDate: Self.at(24 * 30), daysOverdue: 1,
                                                   occurredAt: Self.at(24 * 31)))
        for (i, customer) in ["A", "B", "B", "A"].enumerated() {
            try await Self.append(log, Customer.stream(customer),
                                  InteractionLogged(customerId: customer, interactionId: "X\(i)", channel: .call, direction: .inbound, durationSeconds: 60,
                                                    outcome: "reached", subject: nil, notes: nil, contactId: nil, caseId: nil, opportunityId: nil,
                                                    campaignId: nil, occurredAt: Self.at(Double(10 - i))))
        }
        let (before, _) = try views(log, engine, customer: "A")
        #expect(before?.openOpportunities.map(\.opportunityId) == ["O2"])

        // The merge, survivor's event first (as MergeCustomers writes them), in separate appends so
        // a batch boundary can fall between them.
        try await Self.append(log, Customer.stream("A"), CustomerMerged(customerId: "A", absorbedId: "B", reason: "duplicate", occurredAt: Self.at(24 * 32)))
        try await Self.append(log, Customer.stream("B"), CustomerAbsorbed(customerId: "B", survivorId: "A", occurredAt: Self.at(24 * 32)))
        let (merged, world) = try views(log, engine, customer: "A")
        #expect(merged?.absorbedIds == ["B"])
        #expect(merged?.openOpportunities.map(\.opportunityId) == ["O1", "O2"])
        #expect(merged?.openCases.map(\.caseId) == ["K1"])
        #expect(merged?.balances == [Customer360.Balance(currency: "EUR", invoiced: 80_000, paid: 0, writtenOff: 0, outstanding: 80_000, overdue: 80_000)])
        #expect(merged?.recentInteractions.map(\.interactionId) == ["X0", "X1", "X2", "X3"])
        #expect(merged?.managerId == nil, "profile and ownership are not merged")
        let absorbed = try engine.read("customer360") { try Customer360.query($0, customerId: "B") }
        #expect(absorbed?.mergedInto == "A" && absorbed?.lifecycleState == .merged)
        #expect(absorbed?.openOpportunities == [] && absorbed?.balances == [])
        #expect(absorbed?.recentInteractions.map(\.interactionId) == ["X1", "X2"])
        let listed = try engine.read("customer360") { try CustomerList.query($0, filter: CustomerListFilter(segment: "smb")) }
        #expect(listed.items.map(\.customerId) == ["A"])
        #expect(try engine.read("customer360") { try CustomerList.query($0, filter: CustomerListFilter(managerId: "m1")) }.items.isEmpty)
        #expect(world.mergedInto == ["B": "A"])

        // Later events about the absorbed customer's items land on the survivor.
        try await Self.append(log, Invoice.stream("I1"),
                              InvoicePaymentReceived(invoiceId: "I1", customerId: "B", paymentId: "P1", amount: Self.eur(30_000), method: .card,
                                                     outstanding: Self.eur(50_000), overpayment: nil, occurredAt: Self.at(24 * 33)))
        try await Self.append(log, Opportunity.stream("O1"),
                              OpportunityWon(opportunityId: "O1", amount: Self.eur(120_000), productIds: [], stage: "qualification", occurredAt: Self.at(24 * 34)))
        var (after, _) = try views(log, engine, customer: "A")
        #expect(after?.openOpportunities.map(\.opportunityId) == ["O2"])
        #expect(after?.lifecycleState == .active)
        #expect(after?.balances.first?.outstanding == 50_000 && after?.balances.first?.overdue == 50_000 && after?.balances.first?.paid == 30_000)
        let byOutstanding = try engine.read("customer360") { try CustomerList.query($0, sort: .outstanding, descending: true) }
        #expect(byOutstanding.items.first?.outstanding == ["EUR": 50_000])

        // Retraction: the won deal is reopened, so the survivor is a prospect again.
        try await Self.append(log, Opportunity.stream("O1"),
                              OpportunityReopened(opportunityId: "O1", previousStatus: .won, reason: "contract not signed", occurredAt: Self.at(24 * 35)))
        (after, _) = try views(log, engine, customer: "A")
        #expect(after?.lifecycleState == .prospect)
        #expect(after?.openOpportunities.map(\.opportunityId) == ["O1", "O2"])
        let prospects = try engine.read("customer360") { try CustomerList.query($0, filter: CustomerListFilter(state: .prospect)) }
        #expect(prospects.items.map(\.customerId) == ["A"])

        try engine.rebuild("customer360")
        try engine.catchUp()
        #expect(try engine.status(of: "customer360").lastRebuild?.checksumsMatch == true)
    }

    @Test("pipeline retractions: stage back, amount corrected, owner changed, won and reopened")
    func pipelineRetractions() async throws {
        let log = try CompanyLog(empty: ())
        let engine = try log.engine(OperationalProjectors.all, batchSize: 2)
        try await Self.register(log, "A", "Acme", hours: 0)
        try await Self.open(log, "O1", customer: "A", owner: "m1", amount: 100_000, hours: 1)
        try await Self.open(log, "O2", customer: "A", owner: "m1", amount: 33_333, hours: 1)
        try await Self.append(log, Opportunity.stream("O1"),
                              OpportunityStageChanged(opportunityId: "O1", fromStage: "qualification", toStage: "closing", direction: .skip, reason: nil,
                                                      winProbability: 90, occurredAt: Self.at(2)))
        var board = try { try engine.catchUp(); return try engine.read("pipeline") { try PipelineBoard.query($0) } }()
        #expect(board.columns.map(\.stage) == ["qualification", "closing"])
        #expect(board.columns.last?.weighted == ["EUR": 90_000])
        #expect(board.columns.first?.weighted == ["EUR": 3_333], "33,333 × 10% = 3,333.3, rounded once")
        try await Self.append(log, Opportunity.stream("O1"),
                              OpportunityStageChanged(opportunityId: "O1", fromStage: "closing", toStage: "proposal", direction: .back,
                                                      reason: "budget cut", winProbability: 60, occurredAt: Self.at(3)),
                              OpportunityAmountChanged(opportunityId: "O1", oldAmount: Self.eur(100_000), newAmount: Self.eur(80_000), reason: "typo",
                                                       occurredAt: Self.at(4)),
                              OpportunityCloseDateChanged(opportunityId: "O1", oldDate: Self.at(24 * 40), newDate: Self.at(24 * 80), reason: nil, occurredAt: Self.at(5)),
                              OpportunityOwnerChanged(opportunityId: "O1", ownerId: "m2", previousOwnerId: "m1", occurredAt: Self.at(6)))
        _ = try views(log, engine, customer: "A")
        board = try engine.read("pipeline") { try PipelineBoard.query($0) }
        #expect(board.columns.map(\.stage) == ["qualification", "proposal"])
        #expect(board.columns.last?.amount == ["EUR": 80_000] && board.columns.last?.weighted == ["EUR": 48_000])
        #expect(board.forecast.map(\.month) == [OperationalWorld.month(Self.at(24 * 40)), OperationalWorld.month(Self.at(24 * 80))])
        #expect(try engine.read("pipeline") { try PipelineBoard.query($0, ownerId: "m1") }.columns.map(\.stage) == ["qualification"])
        try await Self.append(log, Opportunity.stream("O1"),
                              OpportunityWon(opportunityId: "O1", amount: Self.eur(81_000), productIds: [], stage: "proposal", occurredAt: Self.at(7)))
        _ = try views(log, engine, customer: "A")
        #expect(try engine.read("pipeline") { try PipelineBoard.query($0, ownerId: "m2") }.columns.isEmpty)
        try await Self.append(log, Opportunity.stream("O1"),
                              OpportunityReopened(opportunityId: "O1", previousStatus: .won, reason: "cancelled", occurredAt: Self.at(8)))
        _ = try views(log, engine, customer: "A")
        #expect(try engine.read("pipeline") { try PipelineBoard.query($0, ownerId: "m2") }.columns.first?.amount == ["EUR": 80_000])
    }

    @Test("campaign attribution: lead-sourced deals and direct orders count while won / not cancelled")
    func campaignAttribution() async throws {
        let log = try CompanyLog(empty: ())
        let engine = try log.engine(OperationalProjectors.all, batchSize: 4)
        try await Self.append(log, Campaign.stream("K"),
                              CampaignPlanned(campaignId: "K", name: "Spring", channel: .email, targetSegment: "smb", budget: Self.eur(100_000),
                                              plannedStart: Self.at(0), plannedEnd: Self.at(24 * 30), occurredAt: Self.at(0)),
                              CampaignLaunched(campaignId: "K", occurredAt: Self.at(1)))
        try await Self.register(log, "D", "Direct buyer", hours: 2, campaign: "K")
        try await Self.append(log, Campaign.stream("K"),
                              CampaignMemberTargeted(campaignId: "K", customerId: "D", occurredAt: Self.at(2)),
                              CampaignMemberResponded(campaignId: "K", customerId: "D", channel: .web, note: nil, occurredAt: Self.at(3)))
        try await Self.append(log, Order.stream("R1"),
                              OrderPlaced(orderId: "R1", customerId: "D", quoteId: nil, opportunityId: nil, lines: [], total: Self.eur(50_000), occurredAt: Self.at(4)))
        try await Self.append(log, Lead.stream("L"),
                              LeadCaptured(leadId: "L", source: .campaign, name: "Eve", organisation: "E corp", email: nil, phone: nil, campaignId: "K",
                                           notes: nil, occurredAt: Self.at(5)),
                              LeadConverted(leadId: "L", customerId: "E", opportunityId: "O3", occurredAt: Self.at(6)))
        try await Self.register(log, "E", "E corp", hours: 6)
        try await Self.open(log, "O3", customer: "E", owner: "m1", amount: 200_000, hours: 6, lead: "L")
        try await Self.append(log, Opportunity.stream("O3"),
                              OpportunityWon(opportunityId: "O3", amount: Self.eur(200_000), productIds: [], stage: "qualification", occurredAt: Self.at(7)))
        var (_, world) = try views(log, engine, customer: "E")
        var k = try engine.read("campaigns") { try CampaignPerformance.query($0, campaignId: "K") }
        #expect(k?.record.revenue == ["EUR": 250_000] && k?.record.orders == 1 && k?.record.wonOpportunities == 1)
        #expect(k?.costIsBudget == true && k?.roiBasisPoints == 15_000)
        try await Self.append(log, Order.stream("R1"), OrderCancelled(orderId: "R1", reason: "changed mind", occurredAt: Self.at(8)))
        try await Self.append(log, Opportunity.stream("O3"),
                              OpportunityReopened(opportunityId: "O3", previousStatus: .won, reason: "cancelled", occurredAt: Self.at(9)),
                              OpportunityWon(opportunityId: "O3", amount: Self.eur(180_000), productIds: [], stage: "qualification", occurredAt: Self.at(10)))
        try await Self.append(log, Campaign.stream("K"),
                              CampaignMemberConverted(campaignId: "K", customerId: "D", opportunityId: nil, orderId: nil, value: Self.eur(1_000), occurredAt: Self.at(10)),
                              CampaignClosed(campaignId: "K", actualCost: Self.eur(80_000), note: nil, occurredAt: Self.at(11)))
        (_, world) = try views(log, engine, customer: "D")
        k = try engine.read("campaigns") { try CampaignPerformance.query($0, campaignId: "K") }
        #expect(k?.record.revenue == ["EUR": 180_000] && k?.record.orders == 0)
        #expect(k?.costIsBudget == false && k?.roiBasisPoints == 12_500 && k?.costPerConversion == 80_000)
        #expect(k?.responseRateBasisPoints == 10_000)
        #expect(world.expectedCampaign("K")?.revenue == ["EUR": 180_000])
        // The customer that bought and cancelled is a prospect; the lead-sourced one is active.
        #expect(try engine.read("customer360") { try Customer360.query($0, customerId: "D") }?.lifecycleState == .prospect)
        #expect(try engine.read("customer360") { try Customer360.query($0, customerId: "E") }?.lifecycleState == .active)
    }

    @Test("service queue and follow-ups judge breaches and overdue at the query's now")
    func queueAndFollowUps() async throws {
        let log = try CompanyLog(empty: ())
        let engine = try log.engine(OperationalProjectors.all, batchSize: 3)
        try await Self.append(log, ServiceCase.stream("K1"),
                              CaseOpened(caseId: "K1", customerId: "A", channel: .call, category: .technical, priority: .normal, isComplaint: false,
                                         subject: "Down", description: "", firstResponseDueAt: Self.at(8), resolutionDueAt: Self.at(72), occurredAt: Self.at(0)),
                              CaseAssigned(caseId: "K1", customerId: "A", agentId: "ag1", previousAgentId: nil, occurredAt: Self.at(1)))
        try await Self.append(log, ServiceCase.stream("K2"),
                              CaseOpened(caseId: "K2", customerId: "A", channel: .email, category: .billing, priority: .urgent, isComplaint: true,
                                         subject: "Refund", description: "", firstResponseDueAt: Self.at(2.5), resolutionDueAt: Self.at(6), occurredAt: Self.at(2)))
        try engine.catchUp()
        var risk = try engine.read("serviceQueue") { try ServiceQueue.atRisk($0, now: Self.at(2.2), window: .seconds(3600)) }
        #expect(risk.breached.isEmpty && risk.aboutToBreach.map(\.item.caseId) == ["K2"])
        risk = try engine.read("serviceQueue") { try ServiceQueue.atRisk($0, now: Self.at(9), window: .seconds(3600)) }
        #expect(risk.breached.map(\.item.caseId) == ["K2", "K1"])
        let queue = try engine.read("serviceQueue") { try ServiceQueue.open($0, now: Self.at(9)) }
        #expect(queue.items.map(\.item.caseId) == ["K2", "K1"] && queue.items.last?.ageMinutes == 540)
        try await Self.append(log, ServiceCase.stream("K1"),
                              CaseFirstResponded(caseId: "K1", customerId: "A", agentId: "ag1", dueAt: Self.at(8), breached: true, minutesToRespond: 600,
                                                 occurredAt: Self.at(10)),
                              CaseResolved(caseId: "K1", customerId: "A", agentId: "ag1", resolution: "fixed", dueAt: Self.at(72), breached: false,
                                           minutesToResolve: 700, occurredAt: Self.at(11)),
                              CaseReopened(caseId: "K1", customerId: "A", reason: "again", occurredAt: Self.at(12)))
        try engine.catchUp()
        risk = try engine.read("serviceQueue") { try ServiceQueue.atRisk($0, agentId: .some("ag1"), now: Self.at(13), window: .seconds(3600)) }
        #expect(risk.breached.isEmpty && risk.aboutToBreach.isEmpty, "answered: only the resolution target, due later, is pending")
        let loads = try engine.read("serviceQueue") { try ServiceQueue.byAgent($0, now: Self.at(13)) }
        #expect(loads.map(\.agentId) == [nil, "ag1"] && loads.map(\.breached) == [1, 0])

        try await Self.append(log, WorkTask.stream("T1"),
                              WorkTaskAssigned(taskId: "T1", managerId: "m1", customerId: "A", title: "Call back", kind: .call, dueAt: Self.at(24),
                                               occurredAt: Self.at(0)),
                              WorkTaskReassigned(taskId: "T1", managerId: "m2", previousManagerId: "m1", reason: nil, occurredAt: Self.at(1)))
        try await Self.append(log, WorkTask.stream("T2"),
                              WorkTaskAssigned(taskId: "T2", managerId: "m2", customerId: "A", title: "Collect", kind: .arrearsCollection,
                                               dueAt: Self.at(48), occurredAt: Self.at(0)))
        try engine.catchUp()
        #expect(try engine.read("followUps") { try FollowUps.forManager($0, managerId: "m1", now: Self.at(30)) }.overdue.isEmpty)
        var m2 = try engine.read("followUps") { try FollowUps.forManager($0, managerId: "m2", now: Self.at(30)) }
        #expect(m2.overdue.map(\.taskId) == ["T1"] && m2.due.map(\.taskId) == ["T2"])
        try await Self.append(log, WorkTask.stream("T2"), WorkTaskMarkedOverdue(taskId: "T2", managerId: "m2", dueAt: Self.at(48), occurredAt: Self.at(49)))
        try await Self.append(log, WorkTask.stream("T1"), WorkTaskCompleted(taskId: "T1", managerId: "m2", outcome: "done", occurredAt: Self.at(50)))
        try engine.catchUp()
        m2 = try engine.read("followUps") { try FollowUps.forManager($0, managerId: "m2", now: Self.at(30)) }
        #expect(m2.overdue.map(\.taskId) == ["T2"] && m2.due.isEmpty, "marked overdue counts even before its due time")
        let world = OperationalWorld(try log.events())
        try engine.read("followUps") { try OperationalTests.checkFollowUps($0, world, now: Self.at(30)) }
        try engine.read("serviceQueue") { try OperationalTests.checkQueue($0, world, now: Self.at(13)) }
    }
}
