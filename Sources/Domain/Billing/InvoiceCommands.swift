import Foundation

/// Bills a customer, with lines or a bare total. The customer must exist and not be merged (bills
/// go to the survivor); the due date may not precede the issue date; the total must be positive and
/// every amount in one currency. With both lines and a total, the total must equal the lines' sum.
public struct IssueInvoice: DomainCommand {
    public typealias Target = Invoice
    public static let commandType = "IssueInvoice"
    public var invoiceId: String
    public var customerId: String
    public var orderId: String?
    public var lines: [InvoiceLine]
    public var total: Money?
    public var issueDate: Date
    public var dueDate: Date

    public init(invoiceId: String, customerId: String, orderId: String? = nil, lines: [InvoiceLine] = [], total: Money? = nil,
                issueDate: Date, dueDate: Date) {
        self.invoiceId = invoiceId
        self.customerId = customerId
        self.orderId = orderId
        self.lines = lines
        self.total = total
        self.issueDate = issueDate
        self.dueDate = dueDate
    }

    public var targetId: String { invoiceId }

    /// The billed customer; a malformed id is not looked up (`decide` refuses it by name).
    public var references: [RecordReference] {
        (try? Validate.id(customerId, "customerId")) == nil ? [] : [.record(Customer.self, customerId)]
    }

    public func decide(_ state: Invoice, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        let id = try Validate.id(invoiceId, "invoiceId")
        guard !state.exists else { throw .alreadyExists(kind: "invoice", id: id) }
        let customerId = try Validate.id(customerId, "customerId")
        try (context.record(Customer.self, customerId) ?? Customer()).requireCommandable(customerId)
        let orderId = try orderId.map { v throws(DomainError) in try Validate.id(v, "orderId") }
        let issueDate = try Validate.date(issueDate, "issueDate")
        let dueDate = try Validate.date(dueDate, "dueDate")
        guard dueDate >= issueDate else {
            throw .invalid(field: "dueDate", reason: "\(Timestamp.format(dueDate)) is before the issue date \(Timestamp.format(issueDate))")
        }
        var cleanLines: [InvoiceLine] = []
        var sum: Money?
        for (index, line) in lines.enumerated() {
            let lineTotal = try line.total()
            sum = try sum?.adding(lineTotal) ?? lineTotal
            cleanLines.append(InvoiceLine(description: try Validate.text(line.description, "lines[\(index)].description"),
                                          quantity: line.quantity, unitPrice: line.unitPrice, discountPercent: line.discountPercent))
        }
        let total: Money
        switch (sum, self.total) {
        case (nil, nil):
            throw .invalid(field: "lines", reason: "give invoice lines or a total")
        case (let sum?, let given?) where sum != given:
            throw .invalid(field: "total", reason: "\(given) does not match the sum of the lines, \(sum)")
        case (let sum?, _):
            total = sum
        case (nil, let given?):
            total = given
        }
        guard total.minorUnits > 0 else { throw .invalid(field: "total", reason: "must be positive") }
        return [InvoiceIssued(invoiceId: id, customerId: customerId, orderId: orderId, lines: cleanLines, total: total,
                              issueDate: issueDate, dueDate: dueDate, occurredAt: context.now)]
    }
}

/// Records money received against an invoice; partial payments are fine. A payment larger than what
/// is outstanding is refused unless `overpayment` is set, in which case the excess is recorded on the
/// payment. The payment that brings the outstanding amount to zero also records `InvoiceSettled`.
public struct RecordPayment: DomainCommand {
    public typealias Target = Invoice
    public static let commandType = "RecordPayment"
    public var invoiceId: String
    /// The payment's own id (bank reference), so the same payment is never booked twice.
    public var paymentId: String
    public var amount: Money
    public var method: PaymentMethod
    /// Accept a payment above the outstanding amount and record the excess.
    public var overpayment: Bool?

    public init(invoiceId: String, paymentId: String, amount: Money, method: PaymentMethod, overpayment: Bool? = nil) {
        self.invoiceId = invoiceId
        self.paymentId = paymentId
        self.amount = amount
        self.method = method
        self.overpayment = overpayment
    }

    public var targetId: String { invoiceId }

    public func decide(_ state: Invoice, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireIssued(invoiceId)
        guard state.status != .writtenOff else {
            throw .ruleViolated(rule: "invoice-written-off", detail: "invoice \(invoiceId) was written off")
        }
        let paymentId = try Validate.id(paymentId, "paymentId")
        guard !state.paymentIds.contains(paymentId) else { throw .alreadyExists(kind: "payment", id: paymentId) }
        try state.total.requireSameCurrency(amount)
        guard amount.minorUnits > 0 else { throw .invalid(field: "amount", reason: "must be positive") }
        var excess: Money?
        let outstanding: Money
        if amount > state.outstanding {
            guard overpayment == true else {
                throw .ruleViolated(rule: "payment-exceeds-outstanding",
                                    detail: "payment of \(amount) exceeds the \(state.outstanding) outstanding on invoice \(invoiceId); mark it as an overpayment to accept the excess")
            }
            excess = try amount.subtracting(state.outstanding)
            outstanding = .zero(amount.currency)
        } else {
            outstanding = try state.outstanding.subtracting(amount)
        }
        var events: [any DomainEvent] = [InvoicePaymentReceived(
            invoiceId: invoiceId, customerId: state.customerId, paymentId: paymentId, amount: amount, method: method,
            outstanding: outstanding, overpayment: excess, occurredAt: context.now)]
        if state.status == .open, outstanding.minorUnits == 0 {
            events.append(InvoiceSettled(invoiceId: invoiceId, customerId: state.customerId, total: state.total,
                                         paid: try state.paid.adding(amount), wasOverdue: state.isOverdue, occurredAt: context.now))
        }
        return events
    }
}

/// Records the arrears fact: the due date has passed (relative to business time) and money is still
/// owed. Marking an invoice that is already marked changes nothing: later payments update what is
/// owed, and the days overdue follow from the due date.
public struct MarkInvoiceOverdue: DomainCommand {
    public typealias Target = Invoice
    public static let commandType = "MarkInvoiceOverdue"
    public var invoiceId: String

    public init(invoiceId: String) {
        self.invoiceId = invoiceId
    }

    public var targetId: String { invoiceId }

    public func decide(_ state: Invoice, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireIssued(invoiceId)
        try state.requireOpen(invoiceId)
        guard context.now > state.dueDate else {
            throw .ruleViolated(rule: "invoice-not-yet-due",
                                detail: "invoice \(invoiceId) is due \(Timestamp.format(state.dueDate)); it is not overdue at \(Timestamp.format(context.now))")
        }
        guard !state.isOverdue else { return [] }
        let days = Int((context.now.timeIntervalSince(state.dueDate) / 86_400).rounded(.up))
        return [InvoiceMarkedOverdue(invoiceId: invoiceId, customerId: state.customerId, outstanding: state.outstanding,
                                     dueDate: state.dueDate, daysOverdue: max(days, 1), occurredAt: context.now)]
    }
}

/// Gives up collecting what is still owed on an invoice, with the reason.
public struct WriteOffInvoice: DomainCommand {
    public typealias Target = Invoice
    public static let commandType = "WriteOffInvoice"
    public var invoiceId: String
    public var reason: String

    public init(invoiceId: String, reason: String) {
        self.invoiceId = invoiceId
        self.reason = reason
    }

    public var targetId: String { invoiceId }

    public func decide(_ state: Invoice, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireIssued(invoiceId)
        try state.requireOpen(invoiceId)
        let reason = try Validate.text(reason, "reason", max: 500)
        return [InvoiceWrittenOff(invoiceId: invoiceId, customerId: state.customerId, amount: state.outstanding,
                                  reason: reason, occurredAt: context.now)]
    }
}
