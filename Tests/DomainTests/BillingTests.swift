import Domain
import EventStore
import Foundation
import Testing

@Suite("Invoices")
struct InvoiceTests {
    let day: TimeInterval = 86_400

    func decode(_ fixture: DomainFixture, _ stream: String) throws -> [any DomainEvent] {
        try fixture.store.readStream(stream).map { try fixture.handler.registry.decode($0) }
    }

    func eur(_ amount: String) throws -> Money { try Money(amount, "EUR") }

    /// Registers customer `c1` and issues invoice `i1` over `total`, due in 30 days.
    func issued(_ total: String = "100.00") async throws -> DomainFixture {
        let f = try DomainFixture()
        try await f.register("c1")
        try await f.run(IssueInvoice(invoiceId: "i1", customerId: "c1", total: try eur(total), issueDate: f.now, dueDate: f.now + 30 * day))
        return f
    }

    /// Runs `command`, expects exactly `error`, and checks that nothing was written.
    func expectRefused<C: DomainCommand>(_ f: DomainFixture, _ command: C, _ error: DomainError,
                                         sourceLocation: SourceLocation = #_sourceLocation) async {
        let head = f.head
        await #expect(throws: error, sourceLocation: sourceLocation) { try await f.run(command) }
        #expect(f.head == head, sourceLocation: sourceLocation)
    }

    // MARK: Commands

    @Test("issuing with lines records the lines, the order, the dates and their exact total")
    func issueWithLines() async throws {
        let f = try DomainFixture()
        try await f.register("c1")
        let lines = [InvoiceLine(description: "Support plan", quantity: 2, unitPrice: try eur("40.00"), discountPercent: 10),
                     InvoiceLine(description: "Setup", quantity: 1, unitPrice: try eur("20.05"))]
        try await f.run(IssueInvoice(invoiceId: "i1", customerId: "c1", orderId: "o7", lines: lines, issueDate: f.now, dueDate: f.now + 14 * day))
        #expect(try f.types(of: "invoice-i1") == ["InvoiceIssued"])
        let event = try #require(try decode(f, "invoice-i1").first as? InvoiceIssued)
        #expect(event.customerId == "c1")
        #expect(event.orderId == "o7")
        #expect(event.lines == lines)
        #expect(event.total == (try eur("92.05")))
        #expect(event.issueDate == f.now)
        #expect(event.dueDate == f.now + 14 * day)
        #expect(event.occurredAt == f.now)
    }

    @Test("issuing with a bare total records it without lines")
    func issueWithTotal() async throws {
        let f = try await issued("250.50")
        let event = try #require(try decode(f, "invoice-i1").first as? InvoiceIssued)
        #expect(event.total == (try eur("250.50")))
        #expect(event.lines.isEmpty)
        #expect(event.orderId == nil)
    }

    @Test("partial payments reduce what is outstanding; the last one settles the invoice")
    func partialPayments() async throws {
        let f = try await issued()
        try await f.run(RecordPayment(invoiceId: "i1", paymentId: "p1", amount: try eur("40.00"), method: .bankTransfer))
        #expect(try f.types(of: "invoice-i1") == ["InvoiceIssued", "InvoicePaymentReceived"])
        let first = try #require(try decode(f, "invoice-i1").last as? InvoicePaymentReceived)
        #expect(first.paymentId == "p1")
        #expect(first.customerId == "c1")
        #expect(first.amount == (try eur("40.00")))
        #expect(first.method == .bankTransfer)
        #expect(first.outstanding == (try eur("60.00")))
        #expect(first.overpayment == nil)

        f.now += day
        try await f.run(RecordPayment(invoiceId: "i1", paymentId: "p2", amount: try eur("60.00"), method: .card))
        let events = try decode(f, "invoice-i1")
        #expect(events.map(\.eventType) == ["InvoiceIssued", "InvoicePaymentReceived", "InvoicePaymentReceived", "InvoiceSettled"])
        let second = try #require(events[2] as? InvoicePaymentReceived)
        #expect(second.outstanding == (try eur("0.00")))
        let settled = try #require(events[3] as? InvoiceSettled)
        #expect(settled.total == (try eur("100.00")))
        #expect(settled.paid == (try eur("100.00")))
        #expect(settled.wasOverdue == false)
        #expect(settled.occurredAt == f.now)
    }

    @Test("a payment marked as an overpayment is accepted and records the excess")
    func overpayment() async throws {
        let f = try await issued()
        try await f.run(RecordPayment(invoiceId: "i1", paymentId: "p1", amount: try eur("120.00"), method: .cash, overpayment: true))
        let events = try decode(f, "invoice-i1")
        #expect(events.map(\.eventType) == ["InvoiceIssued", "InvoicePaymentReceived", "InvoiceSettled"])
        let payment = try #require(events[1] as? InvoicePaymentReceived)
        #expect(payment.amount == (try eur("120.00")))
        #expect(payment.overpayment == (try eur("20.00")))
        #expect(payment.outstanding == (try eur("0.00")))
        let settled = try #require(events[2] as? InvoiceSettled)
        #expect(settled.paid == (try eur("120.00")))

        // A second payment on a settled invoice (paid twice) is all excess and settles nothing again.
        try await f.run(RecordPayment(invoiceId: "i1", paymentId: "p2", amount: try eur("5.00"), method: .card, overpayment: true))
        let again = try decode(f, "invoice-i1")
        #expect(again.map(\.eventType) == ["InvoiceIssued", "InvoicePaymentReceived", "InvoiceSettled", "InvoicePaymentReceived"])
        #expect((again[3] as? InvoicePaymentReceived)?.overpayment == (try eur("5.00")))
    }

    @Test("marking overdue records the arrears: outstanding amount and days overdue; marking again changes nothing")
    func markOverdue() async throws {
        let f = try await issued()
        try await f.run(RecordPayment(invoiceId: "i1", paymentId: "p1", amount: try eur("40.00"), method: .bankTransfer))
        f.now += 33 * day
        try await f.run(MarkInvoiceOverdue(invoiceId: "i1"))
        let overdue = try #require(try decode(f, "invoice-i1").last as? InvoiceMarkedOverdue)
        #expect(overdue.customerId == "c1")
        #expect(overdue.outstanding == (try eur("60.00")))
        #expect(overdue.daysOverdue == 3)
        #expect(overdue.dueDate == f.now - 3 * day)
        #expect(overdue.occurredAt == f.now)

        let head = f.head
        f.now += day
        let again = try await f.run(MarkInvoiceOverdue(invoiceId: "i1"))
        #expect(again.eventTypes.isEmpty)
        #expect(f.head == head)

        try await f.run(RecordPayment(invoiceId: "i1", paymentId: "p2", amount: try eur("60.00"), method: .bankTransfer))
        let settled = try #require(try decode(f, "invoice-i1").last as? InvoiceSettled)
        #expect(settled.wasOverdue)
    }

    @Test("a started day past the due date counts as one day overdue")
    func overdueDaysRoundUp() async throws {
        let f = try await issued()
        f.now += 30 * day + 60
        try await f.run(MarkInvoiceOverdue(invoiceId: "i1"))
        let overdue = try #require(try decode(f, "invoice-i1").last as? InvoiceMarkedOverdue)
        #expect(overdue.daysOverdue == 1)
    }

    @Test("writing off records the outstanding amount and the reason, and ends collection")
    func writeOff() async throws {
        let f = try await issued()
        try await f.run(RecordPayment(invoiceId: "i1", paymentId: "p1", amount: try eur("25.00"), method: .directDebit))
        try await f.run(WriteOffInvoice(invoiceId: "i1", reason: "customer insolvent"))
        let written = try #require(try decode(f, "invoice-i1").last as? InvoiceWrittenOff)
        #expect(written.amount == (try eur("75.00")))
        #expect(written.reason == "customer insolvent")
        #expect(written.customerId == "c1")
        await expectRefused(f, RecordPayment(invoiceId: "i1", paymentId: "p2", amount: try eur("75.00"), method: .cash),
                            .ruleViolated(rule: "invoice-written-off", detail: "invoice i1 was written off"))
        await expectRefused(f, WriteOffInvoice(invoiceId: "i1", reason: "again"),
                            .ruleViolated(rule: "invoice-written-off", detail: "invoice i1 was written off"))
        f.now += 60 * day
        await expectRefused(f, MarkInvoiceOverdue(invoiceId: "i1"),
                            .ruleViolated(rule: "invoice-written-off", detail: "invoice i1 was written off"))
    }

    // MARK: Invariants

    @Test("amounts are non-negative and carry a currency code")
    func amountsNonNegativeWithCurrency() async throws {
        #expect(throws: DomainError.invalid(field: "amount", reason: "must not be negative")) { try Money(minorUnits: -1, currency: "EUR") }
        #expect(throws: DomainError.invalid(field: "amount", reason: "'-5.00' is not a non-negative decimal with at most 2 decimals")) {
            try Money("-5.00", "EUR")
        }
        #expect(throws: DomainError.invalid(field: "currency", reason: "'' is not an ISO 4217 code")) { try Money("5.00", "") }
        // The API decodes commands from JSON: a negative amount or a missing currency never becomes a command.
        let negative = #"{"invoiceId":"i1","paymentId":"p1","amount":{"amount":"-5.00","currency":"EUR"},"method":"cash"}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(RecordPayment.self, from: Data(negative.utf8)) }
        let noCurrency = #"{"invoiceId":"i1","paymentId":"p1","amount":{"amount":"5.00"},"method":"cash"}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(RecordPayment.self, from: Data(noCurrency.utf8)) }

        let f = try await issued()
        await expectRefused(f, RecordPayment(invoiceId: "i1", paymentId: "p0", amount: try eur("0"), method: .cash),
                            .invalid(field: "amount", reason: "must be positive"))
        await expectRefused(f, IssueInvoice(invoiceId: "i2", customerId: "c1", total: try eur("0.00"), issueDate: f.now, dueDate: f.now),
                            .invalid(field: "total", reason: "must be positive"))
    }

    @Test("payments and lines must be in the invoice's currency")
    func currencyMustMatch() async throws {
        let f = try await issued()
        await expectRefused(f, RecordPayment(invoiceId: "i1", paymentId: "p1", amount: try Money("10.00", "USD"), method: .card),
                            .invalid(field: "currency", reason: "USD does not match EUR"))
        let mixed = [InvoiceLine(description: "A", quantity: 1, unitPrice: try eur("1.00")),
                     InvoiceLine(description: "B", quantity: 1, unitPrice: try Money("1.00", "CNY"))]
        await expectRefused(f, IssueInvoice(invoiceId: "i2", customerId: "c1", lines: mixed, issueDate: f.now, dueDate: f.now),
                            .invalid(field: "currency", reason: "CNY does not match EUR"))
    }

    @Test("a payment above what is outstanding is refused unless marked as an overpayment")
    func paymentCannotExceedOutstanding() async throws {
        let f = try await issued()
        try await f.run(RecordPayment(invoiceId: "i1", paymentId: "p1", amount: try eur("70.00"), method: .card))
        await expectRefused(f, RecordPayment(invoiceId: "i1", paymentId: "p2", amount: try eur("30.01"), method: .card),
                            .ruleViolated(rule: "payment-exceeds-outstanding",
                                          detail: "payment of 30.01 EUR exceeds the 30.00 EUR outstanding on invoice i1; mark it as an overpayment to accept the excess"))
        try await f.run(RecordPayment(invoiceId: "i1", paymentId: "p2", amount: try eur("30.00"), method: .card))
        // Settled: any further payment is an excess.
        await expectRefused(f, RecordPayment(invoiceId: "i1", paymentId: "p3", amount: try eur("5.00"), method: .card, overpayment: false),
                            .ruleViolated(rule: "payment-exceeds-outstanding",
                                          detail: "payment of 5.00 EUR exceeds the 0.00 EUR outstanding on invoice i1; mark it as an overpayment to accept the excess"))
    }

    @Test("a payment id is booked once")
    func duplicatePayment() async throws {
        let f = try await issued()
        try await f.run(RecordPayment(invoiceId: "i1", paymentId: "p1", amount: try eur("10.00"), method: .card))
        await expectRefused(f, RecordPayment(invoiceId: "i1", paymentId: "p1", amount: try eur("10.00"), method: .card),
                            .alreadyExists(kind: "payment", id: "p1"))
    }

    @Test("a due date before the issue date is refused")
    func dueBeforeIssue() async throws {
        let f = try DomainFixture()
        try await f.register("c1")
        await expectRefused(f, IssueInvoice(invoiceId: "i1", customerId: "c1", total: try eur("10.00"), issueDate: f.now, dueDate: f.now - day),
                            .invalid(field: "dueDate", reason: "2025-12-31T00:00:00.000Z is before the issue date 2026-01-01T00:00:00.000Z"))
    }

    @Test("lines and a total that disagree, or neither, are refused")
    func linesAndTotal() async throws {
        let f = try DomainFixture()
        try await f.register("c1")
        let lines = [InvoiceLine(description: "A", quantity: 3, unitPrice: try eur("1.00"))]
        await expectRefused(f, IssueInvoice(invoiceId: "i1", customerId: "c1", lines: lines, total: try eur("4.00"), issueDate: f.now, dueDate: f.now),
                            .invalid(field: "total", reason: "4.00 EUR does not match the sum of the lines, 3.00 EUR"))
        await expectRefused(f, IssueInvoice(invoiceId: "i1", customerId: "c1", issueDate: f.now, dueDate: f.now),
                            .invalid(field: "lines", reason: "give invoice lines or a total"))
        await expectRefused(f, IssueInvoice(invoiceId: "i1", customerId: "c1", lines: [InvoiceLine(description: "A", quantity: 0, unitPrice: try eur("1.00"))],
                                            issueDate: f.now, dueDate: f.now),
                            .invalid(field: "quantity", reason: "must be positive"))
    }

    @Test("an invoice id is issued once")
    func issueTwice() async throws {
        let f = try await issued()
        await expectRefused(f, IssueInvoice(invoiceId: "i1", customerId: "c1", total: try eur("1.00"), issueDate: f.now, dueDate: f.now),
                            .alreadyExists(kind: "invoice", id: "i1"))
    }

    @Test("marking overdue is refused up to and including the due date")
    func overdueBeforeDueDate() async throws {
        let f = try await issued()
        await expectRefused(f, MarkInvoiceOverdue(invoiceId: "i1"),
                            .ruleViolated(rule: "invoice-not-yet-due",
                                          detail: "invoice i1 is due 2026-01-31T00:00:00.000Z; it is not overdue at 2026-01-01T00:00:00.000Z"))
        f.now += 30 * day
        await expectRefused(f, MarkInvoiceOverdue(invoiceId: "i1"),
                            .ruleViolated(rule: "invoice-not-yet-due",
                                          detail: "invoice i1 is due 2026-01-31T00:00:00.000Z; it is not overdue at 2026-01-31T00:00:00.000Z"))
    }

    @Test("a settled invoice cannot be marked overdue or written off")
    func settledHasNothingOutstanding() async throws {
        let f = try await issued()
        try await f.run(RecordPayment(invoiceId: "i1", paymentId: "p1", amount: try eur("100.00"), method: .card))
        f.now += 40 * day
        let settled = DomainError.ruleViolated(rule: "invoice-settled", detail: "invoice i1 is paid in full; nothing is outstanding")
        await expectRefused(f, MarkInvoiceOverdue(invoiceId: "i1"), settled)
        await expectRefused(f, WriteOffInvoice(invoiceId: "i1", reason: "no"), settled)
    }

    @Test("commands on an unknown invoice or for an unknown customer are not found")
    func unknownIds() async throws {
        let f = try DomainFixture()
        let missing = DomainError.notFound(kind: "invoice", id: "nope")
        await expectRefused(f, RecordPayment(invoiceId: "nope", paymentId: "p1", amount: try eur("1.00"), method: .cash), missing)
        await expectRefused(f, MarkInvoiceOverdue(invoiceId: "nope"), missing)
        await expectRefused(f, WriteOffInvoice(invoiceId: "nope", reason: "x"), missing)
        await expectRefused(f, IssueInvoice(invoiceId: "i1", customerId: "ghost", total: try eur("1.00"), issueDate: f.now, dueDate: f.now),
                            .notFound(kind: "customer", id: "ghost"))
    }

    @Test("an invoice for a merged customer is refused naming the survivor")
    func mergedCustomer() async throws {
        let f = try DomainFixture()
        try await f.register("c1")
        try await f.register("c2")
        try await f.customers.merge(MergeCustomers(survivorId: "c1", absorbedId: "c2", reason: "duplicate"), context: f.context, metadata: f.metadata)
        await expectRefused(f, IssueInvoice(invoiceId: "i1", customerId: "c2", total: try eur("1.00"), issueDate: f.now, dueDate: f.now),
                            .customerMerged(absorbed: "c2", survivor: "c1"))
    }

    @Test("the domain registry knows every invoice event")
    func registry() {
        for type in Invoice.eventTypes { #expect(EventRegistry.domain.knows(type.eventType)) }
    }
}
