import Domain
import Foundation
import Testing

struct LeadTests {
    @Test func captureRecordsTheLeadAndItsSource() async throws {
        let fixture = try DomainFixture()
        try await fixture.run(CaptureLead(leadId: "l1", source: .event, name: " Lena Park ", organisation: "Northwind",
                                          email: "lena@northwind.example", phone: "+49 30 1234567", campaignId: "expo-2026",
                                          notes: "Met at the booth"))

        let events = try fixture.salesEvents(Lead.stream("l1"))
        #expect(events.map(\.eventType) == ["LeadCaptured"])
        let captured = try #require(events.first as? LeadCaptured)
        #expect(captured.leadId == "l1")
        #expect(captured.source == .event)
        #expect(captured.name == "Lena Park")
        #expect(captured.organisation == "Northwind")
        #expect(captured.email == "lena@northwind.example")
        #expect(captured.phone == "+49 30 1234567")
        #expect(captured.campaignId == "expo-2026")
        #expect(captured.notes == "Met at the booth")
        #expect(captured.occurredAt == fixture.now)
    }

    @Test func captureNeedsAWayToReachTheLead() async throws {
        let fixture = try DomainFixture()
        await fixture.expectSalesRefusal(
            CaptureLead(leadId: "l1", source: .webForm, name: "Anon"),
            .invalid(field: "email", reason: "an e-mail address or a phone number is required"))
    }

    @Test func capturingAnExistingLeadIsRefused() async throws {
        let fixture = try DomainFixture()
        try await fixture.run(CaptureLead(leadId: "l1", source: .webForm, name: "Lena", email: "lena@example.com"))
        await fixture.expectSalesRefusal(
            CaptureLead(leadId: "l1", source: .referral, name: "Lena", email: "lena@example.com"),
            .alreadyExists(kind: "lead", id: "l1"))
    }

    @Test func qualifyRecordsTheReason() async throws {
        let fixture = try DomainFixture()
        try await fixture.run(CaptureLead(leadId: "l1", source: .campaign, name: "Lena", email: "lena@example.com"))
        try await fixture.run(QualifyLead(leadId: "l1", reason: "budget approved, decides in Q2"))

        let qualified = try fixture.salesLast(LeadQualified.self, in: Lead.stream("l1"))
        #expect(qualified.leadId == "l1")
        #expect(qualified.reason == "budget approved, decides in Q2")
        let again = try await fixture.run(QualifyLead(leadId: "l1", reason: "still good"))
        #expect(again.eventTypes.isEmpty)
    }

    @Test func disqualifyRecordsTheReason() async throws {
        let fixture = try DomainFixture()
        try await fixture.run(CaptureLead(leadId: "l1", source: .importFile, name: "Lena", phone: "030 1234567"))
        try await fixture.run(DisqualifyLead(leadId: "l1", reason: "student, no budget"))

        let disqualified = try fixture.salesLast(LeadDisqualified.self, in: Lead.stream("l1"))
        #expect(disqualified.leadId == "l1")
        #expect(disqualified.reason == "student, no budget")
        #expect(try fixture.types(of: Lead.stream("l1")) == ["LeadCaptured", "LeadDisqualified"])
    }

    @Test func aDisqualifiedLeadCannotBeQualified() async throws {
        let fixture = try DomainFixture()
        try await fixture.run(CaptureLead(leadId: "l1", source: .webForm, name: "Lena", email: "lena@example.com"))
        try await fixture.run(DisqualifyLead(leadId: "l1", reason: "spam"))
        await fixture.expectSalesRefusal(
            QualifyLead(leadId: "l1", reason: "changed my mind"),
            .ruleViolated(rule: "lead-disqualified", detail: "lead l1 was disqualified"))
    }

    @Test func commandsOnAnUnknownLeadAreNotFound() async throws {
        let fixture = try DomainFixture()
        await fixture.expectSalesRefusal(QualifyLead(leadId: "ghost", reason: "x"), .notFound(kind: "lead", id: "ghost"))
        await fixture.expectSalesRefusal(DisqualifyLead(leadId: "ghost", reason: "x"), .notFound(kind: "lead", id: "ghost"))
    }
}
