import Domain
import EventStore
import Foundation
import Testing

struct QuoteTests {
    private let stream = Quote.stream("q1")

    private func lines() throws -> [SalesLineItem] {
        [SalesLineItem(productId: "fleet-plan", quantity: 3, unitPrice: try Sales.eur("19.99"), discountPercent: 10),
         SalesLineItem(productId: "setup", quantity: 1, unitPrice: try Sales.eur("100")),
         SalesLineItem(productId: "sticker", quantity: 1, unitPrice: try Sales.eur("0.05"), discountPercent: 50)]
    }

    @Test func issueComputesLineTotalsAndTheTotal() async throws {
        let fixture = try DomainFixture()
        try await fixture.register("c1")
        let validUntil = fixture.now.addingTimeInterval(30 * 86_400)
        try await fixture.run(IssueQuote(quoteId: "q1", customerId: "c1", lines: try lines(), validUntil: validUntil))

        #expect(try fixture.types(of: stream) == ["QuoteIssued"])
        let issued = try fixture.salesLast(QuoteIssued.self, in: stream)
        #expect(issued.customerId == "c1")
        #expect(issued.opportunityId == nil)
        #expect(issued.revision == 1)
        #expect(issued.lines.map(\.productId) == ["fleet-plan", "setup", "sticker"])
        // 3 × 19.99 − 10% = 53.973 → 53.97; 0.05 − 50% = 0.025 → 0.03 (half-up).
        #expect(issued.lines.map(\.lineTotal) == [try Sales.eur("53.97"), try Sales.eur("100"), try Sales.eur("0.03")])
        #expect(issued.lines[0].quantity == 3)
        #expect(issued.lines[0].discountPercent == 10)
        #expect(issued.total == (try Sales.eur("154.00")))
        #expect(issued.validUntil == validUntil)
    }

    @Test func issueForAnOpportunityOfTheCustomer() async throws {
        let fixture = try DomainFixture()
        try await fixture.openSalesOpportunity("o1", customer: "c1")
        try await fixture.run(IssueQuote(quoteId: "q1", customerId: "c1", opportunityId: "o1", lines: try lines()))
        #expect(try fixture.salesLast(QuoteIssued.self, in: stream).opportunityId == "o1")

        try await fixture.register("c2", name: "Other")
        await fixture.expectSalesRefusal(
            IssueQuote(quoteId: "q2", customerId: "c2", opportunityId: "o1", lines: try lines()),
            .invalid(field: "opportunityId", reason: "opportunity o1 belongs to customer c1"))
        await fixture.expectSalesRefusal(
            IssueQuote(quoteId: "q2", customerId: "c1", opportunityId: "o1",
                       lines: [SalesLineItem(productId: "p", quantity: 1, unitPrice: try Money("5", "USD"))]),
            .invalid(field: "currency", reason: "USD does not match EUR"))
        await fixture.expectSalesRefusal(
            IssueQuote(quoteId: "q2", customerId: "c1", opportunityId: "ghost", lines: try lines()),
            .notFound(kind: "opportunity", id: "ghost"))
    }

    @Test func mixedCurrenciesInOneQuoteAreRefused() async throws {
        let fixture = try DomainFixture()
        try await fixture.register("c1")
        await fixture.expectSalesRefusal(
            IssueQuote(quoteId: "q1", customerId: "c1", lines: [
                SalesLineItem(productId: "a", quantity: 1, unitPrice: try Sales.eur("10")),
                SalesLineItem(productId: "b", quantity: 1, unitPrice: try Money("10", "USD")),
            ]),
            .invalid(field: "currency", reason: "USD does not match EUR"))
        try await fixture.run(IssueQuote(quoteId: "q1", customerId: "c1", lines: try lines()))
        await fixture.expectSalesRefusal(
            ReviseQuote(quoteId: "q1", lines: [SalesLineItem(productId: "a", quantity: 1, unitPrice: try Money("10", "GBP"))]),
            .invalid(field: "currency", reason: "GBP does not match EUR"))
    }

    @Test func linesMustBeWellFormed() async throws {
        let fixture = try DomainFixture()
        try await fixture.register("c1")
        await fixture.expectSalesRefusal(
            IssueQuote(quoteId: "q1", customerId: "c1", lines: []),
            .invalid(field: "lines", reason: "at least one line is required"))
        await fixture.expectSalesRefusal(
            IssueQuote(quoteId: "q1", customerId: "c1", lines: [SalesLineItem(productId: "a", quantity: 0, unitPrice: try Sales.eur("1"))]),
            .invalid(field: "quantity", reason: "must be positive"))
        await fixture.expectSalesRefusal(
            IssueQuote(quoteId: "q1", customerId: "c1", lines: [SalesLineItem(productId: "a", quantity: 1, unitPrice: try Sales.eur("1"), discountPercent: 101)]),
            .invalid(field: "discountPercent", reason: "must be between 0 and 100"))
    }

    @Test func issueNeedsAnExistingUnmergedCustomer() async throws {
        let fixture = try DomainFixture()
        await fixture.expectSalesRefusal(IssueQuote(quoteId: "q1", customerId: "ghost", lines: try lines()), .notFound(kind: "customer", id: "ghost"))
        try await fixture.register("c1")
        try await fixture.register("c2", name: "Dup")
        try await fixture.customers.merge(MergeCustomers(survivorId: "c1", absorbedId: "c2", reason: "duplicate"),
                                          context: fixture.context, metadata: fixture.metadata)
        await fixture.expectSalesRefusal(IssueQuote(quoteId: "q1", customerId: "c2", lines: try lines()), .customerMerged(absorbed: "c2", survivor: "c1"))
        try await fixture.run(IssueQuote(quoteId: "q1", customerId: "c1", lines: try lines()))
        await fixture.expectSalesRefusal(IssueQuote(quoteId: "q1", customerId: "c1", lines: try lines()), .alreadyExists(kind: "quote", id: "q1"))
    }

    @Test func reviseRecordsANewRevisionWithNewLines() async throws {
        let fixture = try DomainFixture()
        try await fixture.register("c1")
        try await fixture.run(IssueQuote(quoteId: "q1", customerId: "c1", lines: try lines()))
        try await fixture.run(ReviseQuote(quoteId: "q1", lines: [SalesLineItem(productId: "fleet-plan", quantity: 5, unitPrice: try Sales.eur("19.99"), discountPercent: 20)],
                                          reason: "volume discount"))
        let revised = try fixture.salesLast(QuoteRevised.self, in: stream)
        #expect(revised.revision == 2)
        #expect(revised.lines.map(\.productId) == ["fleet-plan"])
        #expect(revised.total == (try Sales.eur("79.96")))
        #expect(revised.reason == "volume discount")
        try await fixture.run(ReviseQuote(quoteId: "q1", lines: try lines()))
        #expect(try fixture.salesLast(QuoteRevised.self, in: stream).revision == 3)
    }

    @Test func anAcceptedQuoteCannotBeRevised() async throws {
        let fixture = try DomainFixture()
        try await fixture.register("c1")
        try await fixture.run(IssueQuote(quoteId: "q1", customerId: "c1", lines: try lines()))
        try await fixture.run(ReviseQuote(quoteId: "q1", lines: try lines()))
        try await fixture.run(AcceptQuote(quoteId: "q1"))

        let accepted = try fixture.salesLast(QuoteAccepted.self, in: stream)
        #expect(accepted.revision == 2)
        #expect(accepted.total == (try Sales.eur("154")))
        await fixture.expectSalesRefusal(
            ReviseQuote(quoteId: "q1", lines: try lines()),
            .ruleViolated(rule: "quote-closed", detail: "quote q1 was accepted; issue a new quote instead"))
        await fixture.expectSalesRefusal(
            RejectQuote(quoteId: "q1", reason: "too late"),
            .ruleViolated(rule: "quote-closed", detail: "quote q1 was accepted; issue a new quote instead"))
    }

    @Test func aRejectedQuoteCannotBeRevisedOrAccepted() async throws {
        let fixture = try DomainFixture()
        try await fixture.register("c1")
        try await fixture.run(IssueQuote(quoteId: "q1", customerId: "c1", lines: try lines()))
        try await fixture.run(RejectQuote(quoteId: "q1", reason: "too expensive"))

        let rejected = try fixture.salesLast(QuoteRejected.self, in: stream)
        #expect(rejected.revision == 1)
        #expect(rejected.reason == "too expensive")
        let closed = DomainError.ruleViolated(rule: "quote-closed", detail: "quote q1 was rejected; issue a new quote instead")
        await fixture.expectSalesRefusal(ReviseQuote(quoteId: "q1", lines: try lines()), closed)
        await fixture.expectSalesRefusal(AcceptQuote(quoteId: "q1"), closed)
    }

    @Test func anExpiredQuoteCannotBeAccepted() async throws {
        let fixture = try DomainFixture()
        try await fixture.register("c1")
        try await fixture.run(IssueQuote(quoteId: "q1", customerId: "c1", lines: try lines(), validUntil: fixture.now.addingTimeInterval(86_400)))
        fixture.now = fixture.now.addingTimeInterval(2 * 86_400)
        await fixture.expectSalesRefusal(
            AcceptQuote(quoteId: "q1"),
            .ruleViolated(rule: "quote-expired", detail: "quote q1 was valid until 2026-01-02T00:00:00.000Z"))
    }

    @Test func commandsOnAnUnknownQuoteAreNotFound() async throws {
        let fixture = try DomainFixture()
        let notFound = DomainError.notFound(kind: "quote", id: "ghost")
        await fixture.expectSalesRefusal(ReviseQuote(quoteId: "ghost", lines: try lines()), notFound)
        await fixture.expectSalesRefusal(AcceptQuote(quoteId: "ghost"), notFound)
        await fixture.expectSalesRefusal(RejectQuote(quoteId: "ghost", reason: "x"), notFound)
    }
}
