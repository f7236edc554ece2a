import Domain
import EventStore
import Foundation
import Testing

struct LeadConversionTests {
    /// A qualified lead `l1` from the expo campaign, and the standard process.
    private func qualifiedLead(_ fixture: DomainFixture, email: String = "lena@northwind.example") async throws {
        try await fixture.run(CaptureLead(leadId: "l1", source: .event, name: "Lena Park", organisation: "Northwind",
                                          email: email, campaignId: "expo-2026"))
        try await fixture.run(QualifyLead(leadId: "l1", reason: "budget and need confirmed"))
        try await fixture.defineSalesProcess()
    }

    private func conversion(customer: String = "c-northwind", opportunity: String = "o1", process: String = "standard",
                            registerAnyway: Bool? = nil) throws -> ConvertLead {
        ConvertLead(leadId: "l1", customerId: customer, opportunityId: opportunity, processId: process,
                    amount: try Sales.eur("25000"), expectedCloseDate: Sales.closeDate, ownerId: "mgr-ann",
                    registerAnyway: registerAnyway)
    }

    /// Checks that the conversion is refused with exactly `expected` and wrote nothing.
    private func expectRefused(_ fixture: DomainFixture, _ command: ConvertLead, _ expected: DomainError,
                               sourceLocation: SourceLocation = #_sourceLocation) async {
        let before = fixture.head
        await #expect(throws: expected, sourceLocation: sourceLocation) {
            try await LeadConversion(customers: fixture.customers).convert(command, context: fixture.context, metadata: fixture.metadata)
        }
        #expect(fixture.head == before, "a refused conversion wrote events", sourceLocation: sourceLocation)
    }

    @Test func convertsAQualifiedLeadIntoACustomerAndAnOpportunity() async throws {
        let fixture = try DomainFixture()
        try await qualifiedLead(fixture)
        let results = try await LeadConversion(customers: fixture.customers)
            .convert(try conversion(), context: fixture.context, metadata: fixture.metadata)

        #expect(results.map(\.stream) == [Lead.stream("l1"), Customer.stream("c-northwind"), Opportunity.stream("o1")])
        let converted = try fixture.salesLast(LeadConverted.self, in: Lead.stream("l1"))
        #expect(converted.customerId == "c-northwind")
        #expect(converted.opportunityId == "o1")

        #expect(try fixture.types(of: Customer.stream("c-northwind")) == ["CustomerRegistered"])
        let registered = try fixture.salesLast(CustomerRegistered.self, in: Customer.stream("c-northwind"))
        #expect(registered.kind == .organisation)
        #expect(registered.name == "Lena Park")
        #expect(registered.organisation == "Northwind")
        #expect(registered.email == "lena@northwind.example")
        #expect(registered.channel == .event)
        #expect(registered.sourceCampaignId == "expo-2026")

        let opened = try fixture.salesLast(OpportunityOpened.self, in: Opportunity.stream("o1"))
        #expect(opened.customerId == "c-northwind")
        #expect(opened.leadId == "l1")
        #expect(opened.title == "Northwind")
        #expect(opened.processId == "standard")
        #expect(opened.processVersion == 1)
        #expect(opened.stage == "prospecting")
        #expect(opened.cycleKind == .newBusiness)
        #expect(opened.amount == (try Sales.eur("25000")))

        // The new records take commands at once (no stale cache).
        try await fixture.run(SetOpportunityFields(opportunityId: "o1", fields: ["budget": "30000", "decisionMaker": "CFO"]))
        try await fixture.run(MoveOpportunityStage(opportunityId: "o1", toStage: "qualification"))
        try await fixture.run(AssignCustomerManager(customerId: "c-northwind", managerId: "mgr-ann"))
    }

    @Test func conversionIsAllOrNothing() async throws {
        let fixture = try DomainFixture()
        try await qualifiedLead(fixture)
        let leadBefore = try fixture.types(of: Lead.stream("l1"))

        // The opportunity part fails: its process does not exist.
        await expectRefused(fixture, try conversion(process: "no-such-process"), .notFound(kind: "salesProcess", id: "no-such-process"))

        #expect(try fixture.types(of: Lead.stream("l1")) == leadBefore)
        #expect(try fixture.types(of: Customer.stream("c-northwind")).isEmpty)
        #expect(try fixture.types(of: Opportunity.stream("o1")).isEmpty)
        // The new customer's duplicate keys were released: the same person registers cleanly elsewhere.
        try await fixture.register("c-other", name: "Someone", email: "lena@northwind.example")
        // And the lead can still be converted once the mistake is fixed.
        try await LeadConversion(customers: fixture.customers)
            .convert(try conversion(customer: "c-northwind", registerAnyway: true), context: fixture.context, metadata: fixture.metadata)
        #expect(try fixture.types(of: Lead.stream("l1")) == leadBefore + ["LeadConverted"])
    }

    @Test func anExistingOpportunityIdRefusesTheWholeConversion() async throws {
        let fixture = try DomainFixture()
        try await qualifiedLead(fixture)
        try await fixture.openSalesOpportunity("o1", customer: "c-existing")
        await expectRefused(fixture, try conversion(opportunity: "o1"), .alreadyExists(kind: "opportunity", id: "o1"))
        #expect(try fixture.types(of: Customer.stream("c-northwind")).isEmpty)
    }

    @Test func anExistingCustomerIdIsRefusedAndKeepsItsDuplicateKeys() async throws {
        let fixture = try DomainFixture()
        try await qualifiedLead(fixture)
        try await fixture.register("c-taken", name: "Taken Person", email: "taken@example.com")
        await expectRefused(fixture, try conversion(customer: "c-taken"), .alreadyExists(kind: "customer", id: "c-taken"))
        // The existing customer is still found as a duplicate.
        await #expect(throws: DomainError.likelyDuplicate(matches: ["c-taken"], on: ["email"])) {
            try await fixture.register("c-new", name: "New Person", email: "taken@example.com")
        }
    }

    @Test func aLeadMustBeQualifiedToConvert() async throws {
        let fixture = try DomainFixture()
        try await fixture.defineSalesProcess()
        try await fixture.run(CaptureLead(leadId: "l1", source: .webForm, name: "Lena", email: "lena@example.com"))
        await expectRefused(fixture, try conversion(),
                            .ruleViolated(rule: "lead-not-qualified", detail: "lead l1 must be qualified before it is converted"))
    }

    @Test func aDisqualifiedLeadCannotBeConverted() async throws {
        let fixture = try DomainFixture()
        try await qualifiedLead(fixture)
        try await fixture.run(DisqualifyLead(leadId: "l1", reason: "bought from a competitor"))
        await expectRefused(fixture, try conversion(), .ruleViolated(rule: "lead-disqualified", detail: "lead l1 was disqualified"))
    }

    @Test func aLeadIsConvertedOnlyOnce() async throws {
        let fixture = try DomainFixture()
        try await qualifiedLead(fixture)
        try await LeadConversion(customers: fixture.customers).convert(try conversion(), context: fixture.context, metadata: fixture.metadata)
        await expectRefused(fixture, try conversion(customer: "c-second", opportunity: "o2"),
                            .ruleViolated(rule: "lead-already-converted", detail: "lead l1 was converted into customer c-northwind and opportunity o1"))
        await fixture.expectSalesRefusal(QualifyLead(leadId: "l1", reason: "again"),
                                         .ruleViolated(rule: "lead-already-converted", detail: "lead l1 was converted into customer c-northwind and opportunity o1"))
    }

    @Test func convertingAnUnknownLeadIsNotFound() async throws {
        let fixture = try DomainFixture()
        try await fixture.defineSalesProcess()
        await expectRefused(fixture, try conversion(), .notFound(kind: "lead", id: "l1"))
    }

    @Test func aLikelyDuplicateCustomerNeedsRegisterAnyway() async throws {
        let fixture = try DomainFixture()
        try await qualifiedLead(fixture)
        try await fixture.register("c-known", name: "L. Park", email: "Lena@Northwind.example")

        await expectRefused(fixture, try conversion(), .likelyDuplicate(matches: ["c-known"], on: ["email"]))

        try await LeadConversion(customers: fixture.customers)
            .convert(try conversion(registerAnyway: true), context: fixture.context, metadata: fixture.metadata)
        #expect(try fixture.types(of: Customer.stream("c-northwind")) == ["CustomerRegistered", "DuplicateAcknowledged"])
        #expect(try fixture.types(of: Opportunity.stream("o1")) == ["OpportunityOpened"])
    }
}
