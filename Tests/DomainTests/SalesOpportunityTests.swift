import Domain
import EventStore
import Foundation
import Testing

struct OpportunityTests {
    private let stream = Opportunity.stream("o1")

    /// An opportunity `o1` in `qualification` (budget and decision maker filled in).
    private func qualifiedOpportunity(_ fixture: DomainFixture, allowsSkipping: Bool = false) async throws {
        try await fixture.openSalesOpportunity(allowsSkipping: allowsSkipping)
        try await fixture.run(SetOpportunityFields(opportunityId: "o1", fields: ["budget": "12000", "decisionMaker": "Head of fleet"]))
        try await fixture.run(MoveOpportunityStage(opportunityId: "o1", toStage: "qualification"))
    }

    @Test func openRecordsCustomerProcessVersionAndFirstStage() async throws {
        let fixture = try DomainFixture()
        try await fixture.register("c1")
        try await fixture.defineSalesProcess()
        try await fixture.run(OpenOpportunity(opportunityId: "o1", customerId: "c1", processId: "standard", title: "Fleet renewal",
                                              cycleKind: .upSell, amount: try Sales.eur("10000.50"), expectedCloseDate: Sales.closeDate,
                                              ownerId: "mgr-ann"))

        #expect(try fixture.types(of: stream) == ["OpportunityOpened"])
        let opened = try fixture.salesLast(OpportunityOpened.self, in: stream)
        #expect(opened.opportunityId == "o1")
        #expect(opened.customerId == "c1")
        #expect(opened.leadId == nil)
        #expect(opened.title == "Fleet renewal")
        #expect(opened.processId == "standard")
        #expect(opened.processVersion == 1)
        #expect(opened.stages == Sales.stages)
        #expect(opened.stage == "prospecting")
        #expect(opened.cycleKind == .upSell)
        #expect(opened.amount == (try Sales.eur("10000.50")))
        #expect(opened.expectedCloseDate == Sales.closeDate)
        #expect(opened.ownerId == "mgr-ann")
        #expect(opened.fields.isEmpty)
    }

    @Test func openNeedsAnExistingCustomerAndProcess() async throws {
        let fixture = try DomainFixture()
        try await fixture.register("c1")
        try await fixture.defineSalesProcess()
        let amount = try Sales.eur("100")
        await fixture.expectSalesRefusal(
            OpenOpportunity(opportunityId: "o1", customerId: "ghost", processId: "standard", title: "T", cycleKind: .newBusiness,
                            amount: amount, expectedCloseDate: Sales.closeDate, ownerId: "mgr"),
            .notFound(kind: "customer", id: "ghost"))
        await fixture.expectSalesRefusal(
            OpenOpportunity(opportunityId: "o1", customerId: "c1", processId: "ghost", title: "T", cycleKind: .newBusiness,
                            amount: amount, expectedCloseDate: Sales.closeDate, ownerId: "mgr"),
            .notFound(kind: "salesProcess", id: "ghost"))
    }

    @Test func anOpportunityForAMergedCustomerIsRefusedNamingTheSurvivor() async throws {
        let fixture = try DomainFixture()
        try await fixture.register("c1")
        try await fixture.register("c2", name: "Other")
        try await fixture.customers.merge(MergeCustomers(survivorId: "c1", absorbedId: "c2", reason: "same company"),
                                          context: fixture.context, metadata: fixture.metadata)
        try await fixture.defineSalesProcess()
        await fixture.expectSalesRefusal(
            OpenOpportunity(opportunityId: "o1", customerId: "c2", processId: "standard", title: "T", cycleKind: .crossSell,
                            amount: try Sales.eur("100"), expectedCloseDate: Sales.closeDate, ownerId: "mgr"),
            .customerMerged(absorbed: "c2", survivor: "c1"))
    }

    @Test func openingAnExistingOpportunityIsRefused() async throws {
        let fixture = try DomainFixture()
        try await fixture.openSalesOpportunity()
        await fixture.expectSalesRefusal(
            OpenOpportunity(opportunityId: "o1", customerId: "c1", processId: "standard", title: "T", cycleKind: .renewal,
                            amount: try Sales.eur("100"), expectedCloseDate: Sales.closeDate, ownerId: "mgr"),
            .alreadyExists(kind: "opportunity", id: "o1"))
    }

    @Test func amountsAreNonNegativeWithACurrency() async throws {
        #expect(throws: DomainError.invalid(field: "amount", reason: "must not be negative")) { try Money(minorUnits: -1, currency: "EUR") }
        #expect(throws: DomainError.invalid(field: "currency", reason: "'eur' is not an ISO 4217 code")) { try Money("10", "eur") }
        func open(amount: String) -> Data {
            Data("""
            {"opportunityId":"o1","customerId":"c1","processId":"standard","title":"T","cycleKind":"newBusiness",
             "amount":\(amount),"expectedCloseDate":"2026-04-01T00:00:00.000Z","ownerId":"mgr","fields":{}}
            """.utf8)
        }
        let valid = try EventRegistry.decoder.decode(OpenOpportunity.self, from: open(amount: #"{"amount":"10.00","currency":"EUR"}"#))
        #expect(valid.amount == (try Sales.eur("10")))
        #expect(throws: DecodingError.self) { try EventRegistry.decoder.decode(OpenOpportunity.self, from: open(amount: #"{"amount":"-10.00","currency":"EUR"}"#)) }
        #expect(throws: DecodingError.self) { try EventRegistry.decoder.decode(OpenOpportunity.self, from: open(amount: #"{"amount":"10.00"}"#)) }
        #expect(throws: DecodingError.self) { try EventRegistry.decoder.decode(OpenOpportunity.self, from: open(amount: #""10.00""#)) }
    }

    @Test func setFieldsRecordsOldAndNewValues() async throws {
        let fixture = try DomainFixture()
        try await fixture.openSalesOpportunity()
        try await fixture.run(SetOpportunityFields(opportunityId: "o1", fields: ["budget": "12000", "decisionMaker": "CFO"]))
        try await fixture.run(SetOpportunityFields(opportunityId: "o1", fields: ["budget": "15000", "decisionMaker": "CFO", "proposalSentAt": nil]))

        let set = try fixture.salesLast(OpportunityFieldsSet.self, in: stream)
        #expect(set.changes == [FieldChange(field: "budget", old: "12000", new: "15000")])
        let unchanged = try await fixture.run(SetOpportunityFields(opportunityId: "o1", fields: ["budget": "15000"]))
        #expect(unchanged.eventTypes.isEmpty)
        try await fixture.run(SetOpportunityFields(opportunityId: "o1", fields: ["decisionMaker": nil]))
        #expect(try fixture.salesLast(OpportunityFieldsSet.self, in: stream).changes == [FieldChange(field: "decisionMaker", old: "CFO", new: nil)])
    }

    @Test func onlyStepTemplateFieldsCanBeSet() async throws {
        let fixture = try DomainFixture()
        try await fixture.openSalesOpportunity()
        await fixture.expectSalesRefusal(
            SetOpportunityFields(opportunityId: "o1", fields: ["budgte": "1"]),
            .invalid(field: "budgte", reason: "not a step-template field of sales process standard"))
    }

    @Test func moveForwardRecordsFromToDirectionAndProbability() async throws {
        let fixture = try DomainFixture()
        try await qualifiedOpportunity(fixture)

        let moved = try fixture.salesLast(OpportunityStageChanged.self, in: stream)
        #expect(moved.fromStage == "prospecting")
        #expect(moved.toStage == "qualification")
        #expect(moved.direction == .forward)
        #expect(moved.reason == nil)
        #expect(moved.winProbability == 25)
        let same = try await fixture.run(MoveOpportunityStage(opportunityId: "o1", toStage: "qualification"))
        #expect(same.eventTypes.isEmpty)
    }

    @Test func aStageTheProcessDoesNotKnowIsRejected() async throws {
        let fixture = try DomainFixture()
        try await fixture.openSalesOpportunity()
        await fixture.expectSalesRefusal(
            MoveOpportunityStage(opportunityId: "o1", toStage: "closing"),
            .ruleViolated(rule: "unknown-stage",
                          detail: "sales process standard v1 has no stage 'closing' (prospecting, qualification, proposal, negotiation, commit)"))
    }

    @Test func requiredFieldsOfAStageMustBePresentToEnterIt() async throws {
        let fixture = try DomainFixture()
        try await fixture.openSalesOpportunity()
        await fixture.expectSalesRefusal(
            MoveOpportunityStage(opportunityId: "o1", toStage: "qualification"),
            .ruleViolated(rule: "required-fields-missing", detail: "stage qualification requires budget, decisionMaker"))
        try await fixture.run(SetOpportunityFields(opportunityId: "o1", fields: ["budget": "12000"]))
        await fixture.expectSalesRefusal(
            MoveOpportunityStage(opportunityId: "o1", toStage: "qualification"),
            .ruleViolated(rule: "required-fields-missing", detail: "stage qualification requires decisionMaker"))
        try await fixture.run(SetOpportunityFields(opportunityId: "o1", fields: ["decisionMaker": "CFO"]))
        try await fixture.run(MoveOpportunityStage(opportunityId: "o1", toStage: "qualification"))
        #expect(try fixture.salesLast(OpportunityStageChanged.self, in: stream).toStage == "qualification")
    }

    @Test func skippingIsRefusedWhenTheProcessForbidsIt() async throws {
        let fixture = try DomainFixture()
        try await qualifiedOpportunity(fixture, allowsSkipping: false)
        await fixture.expectSalesRefusal(
            MoveOpportunityStage(opportunityId: "o1", toStage: "negotiation"),
            .ruleViolated(rule: "stage-skipping-forbidden",
                          detail: "sales process standard v1 does not allow skipping from qualification to negotiation"))
    }

    @Test func skippingIsRecordedWhenTheProcessAllowsIt() async throws {
        let fixture = try DomainFixture()
        try await qualifiedOpportunity(fixture, allowsSkipping: true)
        try await fixture.run(MoveOpportunityStage(opportunityId: "o1", toStage: "negotiation", reason: "proposal agreed by phone"))
        let moved = try fixture.salesLast(OpportunityStageChanged.self, in: stream)
        #expect(moved.fromStage == "qualification")
        #expect(moved.toStage == "negotiation")
        #expect(moved.direction == .skip)
        #expect(moved.reason == "proposal agreed by phone")
        #expect(moved.winProbability == 80)
    }

    @Test func movingBackRequiresAReason() async throws {
        let fixture = try DomainFixture()
        try await qualifiedOpportunity(fixture)
        await fixture.expectSalesRefusal(
            MoveOpportunityStage(opportunityId: "o1", toStage: "prospecting"),
            .invalid(field: "reason", reason: "required to move back a stage"))
        await fixture.expectSalesRefusal(
            MoveOpportunityStage(opportunityId: "o1", toStage: "prospecting", reason: "   "),
            .invalid(field: "reason", reason: "required to move back a stage"))
        try await fixture.run(MoveOpportunityStage(opportunityId: "o1", toStage: "prospecting", reason: "champion left the company"))
        let moved = try fixture.salesLast(OpportunityStageChanged.self, in: stream)
        #expect(moved.direction == .back)
        #expect(moved.fromStage == "qualification")
        #expect(moved.toStage == "prospecting")
        #expect(moved.reason == "champion left the company")
    }

    @Test func aWonOpportunityCannotChangeUntilReopened() async throws {
        let fixture = try DomainFixture()
        try await qualifiedOpportunity(fixture)
        try await fixture.run(WinOpportunity(opportunityId: "o1", amount: try Sales.eur("11500"), productIds: ["fleet-plan", "telematics", "fleet-plan"]))

        let won = try fixture.salesLast(OpportunityWon.self, in: stream)
        #expect(won.amount == (try Sales.eur("11500")))
        #expect(won.productIds == ["fleet-plan", "telematics"])
        #expect(won.stage == "qualification")

        let closed = DomainError.ruleViolated(rule: "opportunity-closed", detail: "opportunity o1 is won; reopen it first")
        await fixture.expectSalesRefusal(MoveOpportunityStage(opportunityId: "o1", toStage: "proposal"), closed)
        await fixture.expectSalesRefusal(MoveOpportunityStage(opportunityId: "o1", toStage: "prospecting", reason: "x"), closed)
        await fixture.expectSalesRefusal(ChangeOpportunityAmount(opportunityId: "o1", amount: try Sales.eur("1")), closed)
        await fixture.expectSalesRefusal(ChangeOpportunityCloseDate(opportunityId: "o1", expectedCloseDate: fixture.now), closed)
        await fixture.expectSalesRefusal(WinOpportunity(opportunityId: "o1", amount: try Sales.eur("1"), productIds: ["p"]), closed)
        await fixture.expectSalesRefusal(LoseOpportunity(opportunityId: "o1", reason: "x"), closed)

        try await fixture.run(ReopenOpportunity(opportunityId: "o1", reason: "customer withdrew the signature"))
        let reopened = try fixture.salesLast(OpportunityReopened.self, in: stream)
        #expect(reopened.previousStatus == .won)
        #expect(reopened.reason == "customer withdrew the signature")
        try await fixture.run(MoveOpportunityStage(opportunityId: "o1", toStage: "prospecting", reason: "back to square one"))
        #expect(try fixture.salesLast(OpportunityStageChanged.self, in: stream).toStage == "prospecting")
    }

    @Test func loseRecordsReasonCompetitorAndIsTerminal() async throws {
        let fixture = try DomainFixture()
        try await fixture.openSalesOpportunity()
        try await fixture.run(LoseOpportunity(opportunityId: "o1", reason: "price", competitor: "Contoso"))
        let lost = try fixture.salesLast(OpportunityLost.self, in: stream)
        #expect(lost.reason == "price")
        #expect(lost.competitor == "Contoso")
        #expect(lost.stage == "prospecting")
        await fixture.expectSalesRefusal(
            ChangeOpportunityAmount(opportunityId: "o1", amount: try Sales.eur("9000")),
            .ruleViolated(rule: "opportunity-closed", detail: "opportunity o1 is lost; reopen it first"))
    }

    @Test func reopeningAnOpenOpportunityIsRefused() async throws {
        let fixture = try DomainFixture()
        try await fixture.openSalesOpportunity()
        await fixture.expectSalesRefusal(
            ReopenOpportunity(opportunityId: "o1", reason: "why not"),
            .ruleViolated(rule: "opportunity-not-closed", detail: "opportunity o1 is open"))
    }

    @Test func winNeedsProductsAndTheOpportunityCurrency() async throws {
        let fixture = try DomainFixture()
        try await fixture.openSalesOpportunity()
        await fixture.expectSalesRefusal(
            WinOpportunity(opportunityId: "o1", amount: try Sales.eur("1"), productIds: []),
            .invalid(field: "productIds", reason: "at least one product is required"))
        await fixture.expectSalesRefusal(
            WinOpportunity(opportunityId: "o1", amount: try Money("1", "USD"), productIds: ["p"]),
            .invalid(field: "currency", reason: "USD does not match EUR"))
    }

    @Test func amountChangesRecordOldAndNew() async throws {
        let fixture = try DomainFixture()
        try await fixture.openSalesOpportunity()
        try await fixture.run(ChangeOpportunityAmount(opportunityId: "o1", amount: try Sales.eur("12500.25"), reason: "added telematics"))
        let changed = try fixture.salesLast(OpportunityAmountChanged.self, in: stream)
        #expect(changed.oldAmount == (try Sales.eur("10000")))
        #expect(changed.newAmount == (try Sales.eur("12500.25")))
        #expect(changed.reason == "added telematics")
        await fixture.expectSalesRefusal(
            ChangeOpportunityAmount(opportunityId: "o1", amount: try Money("12500", "USD")),
            .invalid(field: "currency", reason: "USD does not match EUR"))
    }

    @Test func closeDateChangesRecordOldAndNew() async throws {
        let fixture = try DomainFixture()
        try await fixture.openSalesOpportunity()
        let later = Sales.closeDate.addingTimeInterval(30 * 86_400)
        try await fixture.run(ChangeOpportunityCloseDate(opportunityId: "o1", expectedCloseDate: later, reason: "budget freeze"))
        let changed = try fixture.salesLast(OpportunityCloseDateChanged.self, in: stream)
        #expect(changed.oldDate == Sales.closeDate)
        #expect(changed.newDate == later)
        #expect(changed.reason == "budget freeze")
    }

    @Test func reassignRecordsThePreviousOwner() async throws {
        let fixture = try DomainFixture()
        try await fixture.openSalesOpportunity()
        try await fixture.run(ReassignOpportunity(opportunityId: "o1", ownerId: "mgr-bo"))
        let changed = try fixture.salesLast(OpportunityOwnerChanged.self, in: stream)
        #expect(changed.ownerId == "mgr-bo")
        #expect(changed.previousOwnerId == "mgr-ann")
    }

    @Test func opportunitiesKeepTheProcessVersionTheyFollowUntilTheyAdoptARevision() async throws {
        let fixture = try DomainFixture()
        try await fixture.openSalesOpportunity("o1")
        try await fixture.run(ReviseSalesProcess(processId: "standard", stages: Sales.stages + [SalesStage(name: "contract", winProbability: 95)],
                                                 allowsSkipping: true))
        try await fixture.openSalesOpportunity("o2")
        #expect(try fixture.salesLast(OpportunityOpened.self, in: Opportunity.stream("o2")).processVersion == 2)

        // o1 still follows v1: no skipping, no contract stage.
        await fixture.expectSalesRefusal(
            MoveOpportunityStage(opportunityId: "o1", toStage: "contract"),
            .ruleViolated(rule: "unknown-stage",
                          detail: "sales process standard v1 has no stage 'contract' (prospecting, qualification, proposal, negotiation, commit)"))

        try await fixture.run(AdoptSalesProcessRevision(opportunityId: "o1", processId: "standard"))
        let adopted = try fixture.salesLast(OpportunityProcessRevisionAdopted.self, in: Opportunity.stream("o1"))
        #expect(adopted.previousVersion == 1)
        #expect(adopted.processVersion == 2)
        #expect(adopted.allowsSkipping)
        #expect(adopted.stages.last?.name == "contract")
        let again = try await fixture.run(AdoptSalesProcessRevision(opportunityId: "o1", processId: "standard"))
        #expect(again.eventTypes.isEmpty)

        try await fixture.run(MoveOpportunityStage(opportunityId: "o1", toStage: "contract"))
        #expect(try fixture.salesLast(OpportunityStageChanged.self, in: Opportunity.stream("o1")).direction == .skip)
    }

    @Test func adoptingARevisionWithoutTheCurrentStageIsRefused() async throws {
        let fixture = try DomainFixture()
        try await fixture.openSalesOpportunity()
        try await fixture.run(ReviseSalesProcess(processId: "standard", stages: Array(Sales.stages.dropFirst()), allowsSkipping: false))
        await fixture.expectSalesRefusal(
            AdoptSalesProcessRevision(opportunityId: "o1", processId: "standard"),
            .ruleViolated(rule: "stage-not-in-revision", detail: "sales process standard v2 has no stage prospecting; move the opportunity first"))
        await fixture.expectSalesRefusal(
            AdoptSalesProcessRevision(opportunityId: "o1", processId: "other"),
            .invalid(field: "processId", reason: "opportunity o1 follows sales process standard"))
    }

    @Test func commandsOnAnUnknownOpportunityAreNotFound() async throws {
        let fixture = try DomainFixture()
        let notFound = DomainError.notFound(kind: "opportunity", id: "ghost")
        await fixture.expectSalesRefusal(SetOpportunityFields(opportunityId: "ghost", fields: ["budget": "1"]), notFound)
        await fixture.expectSalesRefusal(MoveOpportunityStage(opportunityId: "ghost", toStage: "proposal"), notFound)
        await fixture.expectSalesRefusal(ChangeOpportunityAmount(opportunityId: "ghost", amount: try Sales.eur("1")), notFound)
        await fixture.expectSalesRefusal(ChangeOpportunityCloseDate(opportunityId: "ghost", expectedCloseDate: fixture.now), notFound)
        await fixture.expectSalesRefusal(ReassignOpportunity(opportunityId: "ghost", ownerId: "mgr"), notFound)
        await fixture.expectSalesRefusal(AdoptSalesProcessRevision(opportunityId: "ghost", processId: "standard"), notFound)
        await fixture.expectSalesRefusal(WinOpportunity(opportunityId: "ghost", amount: try Sales.eur("1"), productIds: ["p"]), notFound)
        await fixture.expectSalesRefusal(LoseOpportunity(opportunityId: "ghost", reason: "x"), notFound)
        await fixture.expectSalesRefusal(ReopenOpportunity(opportunityId: "ghost", reason: "x"), notFound)
    }
}
