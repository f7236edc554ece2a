import Domain
import EventStore
import Foundation
import Testing

struct OrderTests {
    private let stream = Order.stream("ord1")

    private func lines() throws -> [SalesLineItem] {
        [SalesLineItem(productId: "fleet-plan", quantity: 2, unitPrice: try Sales.eur("499.50")),
         SalesLineItem(productId: "setup", quantity: 1, unitPrice: try Sales.eur("150"), discountPercent: 100)]
    }

    @Test func placeRecordsLinesAndTotal() async throws {
        let fixture = try DomainFixture()
        try await fixture.register("c1")
        try await fixture.run(PlaceOrder(orderId: "ord1", customerId: "c1", lines: try lines()))

        #expect(try fixture.types(of: stream) == ["OrderPlaced"])
        let placed = try fixture.salesLast(OrderPlaced.self, in: stream)
        #expect(placed.customerId == "c1")
        #expect(placed.quoteId == nil)
        #expect(placed.lines.map(\.lineTotal) == [try Sales.eur("999"), try Sales.eur("0")])
        #expect(placed.total == (try Sales.eur("999")))
    }

    @Test func placeFromAnAcceptedQuoteTakesItsLines() async throws {
        let fixture = try DomainFixture()
        try await fixture.openSalesOpportunity("o1", customer: "c1")
        try await fixture.run(IssueQuote(quoteId: "q1", customerId: "c1", opportunityId: "o1", lines: try lines()))
        try await fixture.run(AcceptQuote(quoteId: "q1"))
        try await fixture.run(PlaceOrder(orderId: "ord1", customerId: "c1", quoteId: "q1"))

        let placed = try fixture.salesLast(OrderPlaced.self, in: stream)
        let issued = try #require(try fixture.salesEvents(Quote.stream("q1")).first as? QuoteIssued)
        #expect(placed.quoteId == "q1")
        #expect(placed.opportunityId == "o1")
        #expect(placed.lines == issued.lines)
        #expect(placed.total == issued.total)
    }

    @Test func aQuoteMustBeAcceptedAndTheCustomersOwn() async throws {
        let fixture = try DomainFixture()
        try await fixture.register("c1")
        try await fixture.register("c2", name: "Other")
        try await fixture.run(IssueQuote(quoteId: "q1", customerId: "c1", lines: try lines()))
        await fixture.expectSalesRefusal(
            PlaceOrder(orderId: "ord1", customerId: "c1", quoteId: "q1"),
            .ruleViolated(rule: "quote-not-accepted", detail: "quote q1 is issued"))
        try await fixture.run(AcceptQuote(quoteId: "q1"))
        await fixture.expectSalesRefusal(
            PlaceOrder(orderId: "ord1", customerId: "c2", quoteId: "q1"),
            .invalid(field: "quoteId", reason: "quote q1 belongs to customer c1"))
        await fixture.expectSalesRefusal(PlaceOrder(orderId: "ord1", customerId: "c1", quoteId: "ghost"), .notFound(kind: "quote", id: "ghost"))
        await fixture.expectSalesRefusal(
            PlaceOrder(orderId: "ord1", customerId: "c1"),
            .invalid(field: "lines", reason: "required when the order is not placed from a quote"))
    }

    @Test func anOrderFromAQuoteOfAnAbsorbedCustomerGoesToTheSurvivor() async throws {
        let fixture = try DomainFixture()
        try await fixture.register("c1")
        try await fixture.register("c2", name: "Dup")
        try await fixture.run(IssueQuote(quoteId: "q1", customerId: "c2", lines: try lines()))
        try await fixture.run(AcceptQuote(quoteId: "q1"))
        try await fixture.customers.merge(MergeCustomers(survivorId: "c1", absorbedId: "c2", reason: "duplicate"),
                                          context: fixture.context, metadata: fixture.metadata)
        await fixture.expectSalesRefusal(PlaceOrder(orderId: "ord1", customerId: "c2", quoteId: "q1"), .customerMerged(absorbed: "c2", survivor: "c1"))
        try await fixture.run(PlaceOrder(orderId: "ord1", customerId: "c1", quoteId: "q1"))
        #expect(try fixture.salesLast(OrderPlaced.self, in: stream).customerId == "c1")
    }

    @Test func mixedCurrenciesInOneOrderAreRefused() async throws {
        let fixture = try DomainFixture()
        try await fixture.register("c1")
        await fixture.expectSalesRefusal(
            PlaceOrder(orderId: "ord1", customerId: "c1", lines: [
                SalesLineItem(productId: "a", quantity: 1, unitPrice: try Money("10", "USD")),
                SalesLineItem(productId: "b", quantity: 1, unitPrice: try Sales.eur("10")),
            ]),
            .invalid(field: "currency", reason: "EUR does not match USD"))
    }

    @Test func placeNeedsAnExistingCustomerAndANewId() async throws {
        let fixture = try DomainFixture()
        await fixture.expectSalesRefusal(PlaceOrder(orderId: "ord1", customerId: "ghost", lines: try lines()), .notFound(kind: "customer", id: "ghost"))
        try await fixture.register("c1")
        try await fixture.run(PlaceOrder(orderId: "ord1", customerId: "c1", lines: try lines()))
        await fixture.expectSalesRefusal(PlaceOrder(orderId: "ord1", customerId: "c1", lines: try lines()), .alreadyExists(kind: "order", id: "ord1"))
    }

    @Test func aFulfilledOrderCannotBeCancelled() async throws {
        let fixture = try DomainFixture()
        try await fixture.register("c1")
        try await fixture.run(PlaceOrder(orderId: "ord1", customerId: "c1", lines: try lines()))
        fixture.now = fixture.now.addingTimeInterval(3 * 86_400)
        try await fixture.run(FulfillOrder(orderId: "ord1"))

        let fulfilled = try fixture.salesLast(OrderFulfilled.self, in: stream)
        #expect(fulfilled.orderId == "ord1")
        #expect(fulfilled.occurredAt == fixture.now)
        await fixture.expectSalesRefusal(
            CancelOrder(orderId: "ord1", reason: "changed mind"),
            .ruleViolated(rule: "order-fulfilled", detail: "order ord1 was fulfilled and cannot be cancelled"))
        #expect(try await fixture.run(FulfillOrder(orderId: "ord1")).eventTypes.isEmpty)
    }

    @Test func aCancelledOrderCannotBeFulfilled() async throws {
        let fixture = try DomainFixture()
        try await fixture.register("c1")
        try await fixture.run(PlaceOrder(orderId: "ord1", customerId: "c1", lines: try lines()))
        try await fixture.run(CancelOrder(orderId: "ord1", reason: "payment declined"))

        let cancelled = try fixture.salesLast(OrderCancelled.self, in: stream)
        #expect(cancelled.reason == "payment declined")
        await fixture.expectSalesRefusal(
            FulfillOrder(orderId: "ord1"),
            .ruleViolated(rule: "order-cancelled", detail: "order ord1 was cancelled and cannot be fulfilled"))
    }

    @Test func commandsOnAnUnknownOrderAreNotFound() async throws {
        let fixture = try DomainFixture()
        await fixture.expectSalesRefusal(FulfillOrder(orderId: "ghost"), .notFound(kind: "order", id: "ghost"))
        await fixture.expectSalesRefusal(CancelOrder(orderId: "ghost", reason: "x"), .notFound(kind: "order", id: "ghost"))
    }
}
