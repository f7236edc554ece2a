import Foundation

/// How a payment reached the company; collection analytics and reconciliation group by it.
public enum PaymentMethod: String, Sendable, Codable, CaseIterable {
    case bankTransfer, card, cash, directDebit, cheque, other
}

/// Where an invoice stands: open while something is owed, then settled (paid in full) or written
/// off (given up on). Overdue is not a status but a fact on an open invoice (`InvoiceMarkedOverdue`).
public enum InvoiceStatus: String, Sendable, Codable, CaseIterable {
    case open, settled, writtenOff
}

/// One billed line; the invoice total is the sum of the lines' totals, so that revenue by product
/// can be read back from the invoice itself.
public struct InvoiceLine: Sendable, Codable, Equatable {
    /// What was billed (a product or service name, or a product id).
    public var description: String
    public var quantity: Int
    public var unitPrice: Money
    /// Percent off the line, 0–100; nil means none.
    public var discountPercent: Int?

    public init(description: String, quantity: Int, unitPrice: Money, discountPercent: Int? = nil) {
        self.description = description
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.discountPercent = discountPercent
    }

    /// `unitPrice × quantity` less the discount, rounded half-up to the minor unit.
    public func total() throws(DomainError) -> Money {
        try unitPrice.lineTotal(quantity: quantity, discountPercent: discountPercent ?? 0)
    }
}

/// A bill was sent to a customer; revenue by customer and arrears start here.
public struct InvoiceIssued: DomainEvent {
    public static let eventType = "InvoiceIssued"
    public var invoiceId: String
    public var customerId: String
    /// The sales order billed, when the invoice comes from one.
    public var orderId: String?
    /// Empty when the invoice was issued with a bare total.
    public var lines: [InvoiceLine]
    public var total: Money
    public var issueDate: Date
    public var dueDate: Date
    public var occurredAt: Date
}

/// Money was received against an invoice. `outstanding` is what remains owed afterwards; when the
/// payment was larger than what was owed and the command accepted that, `overpayment` holds the
/// excess (to be refunded or credited), otherwise it is nil.
public struct InvoicePaymentReceived: DomainEvent {
    public static let eventType = "InvoicePaymentReceived"
    public var invoiceId: String
    public var customerId: String
    public var paymentId: String
    public var amount: Money
    public var method: PaymentMethod
    public var outstanding: Money
    public var overpayment: Money?
    public var occurredAt: Date
}

/// The invoice is paid in full (recorded with the payment that completed it).
public struct InvoiceSettled: DomainEvent {
    public static let eventType = "InvoiceSettled"
    public var invoiceId: String
    public var customerId: String
    public var total: Money
    /// Everything received, overpayments included.
    public var paid: Money
    /// True when it was settled after having been marked overdue: late payers for the risk state.
    public var wasOverdue: Bool
    public var occurredAt: Date
}

/// The arrears fact: the due date has passed and money is still owed. Customer managers collect on
/// it, and the customer's risk state is judged from it.
public struct InvoiceMarkedOverdue: DomainEvent {
    public static let eventType = "InvoiceMarkedOverdue"
    public var invoiceId: String
    public var customerId: String
    public var outstanding: Money
    public var dueDate: Date
    /// Whole days since the due date, counting a started day as one (at least 1).
    public var daysOverdue: Int
    public var occurredAt: Date
}

/// The company gave up collecting what was still owed (a loss, and a strong risk signal).
public struct InvoiceWrittenOff: DomainEvent {
    public static let eventType = "InvoiceWrittenOff"
    public var invoiceId: String
    public var customerId: String
    /// The outstanding amount written off.
    public var amount: Money
    public var reason: String
    public var occurredAt: Date
}
