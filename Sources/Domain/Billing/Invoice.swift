import Foundation

/// The invoice aggregate (`invoice-<id>`): what payment, overdue and write-off decisions need.
public struct Invoice: Aggregate, Equatable {
    public static let category = "invoice"
    public static let eventTypes: [any DomainEvent.Type] = [
        InvoiceIssued.self, InvoicePaymentReceived.self, InvoiceSettled.self, InvoiceMarkedOverdue.self, InvoiceWrittenOff.self,
    ]

    public var id: String?
    public var customerId = ""
    /// Meaningful once issued (`exists`); the placeholder currency of an unissued invoice is never read.
    public var total = Money.zero("XXX")
    /// Everything received so far, overpayments included.
    public var paid = Money.zero("XXX")
    /// What is still owed; zero once settled or written off.
    public var outstanding = Money.zero("XXX")
    public var dueDate = Date(timeIntervalSince1970: 0)
    public var status = InvoiceStatus.open
    public var isOverdue = false
    /// Payment ids already recorded, so that a payment cannot be booked twice.
    public var paymentIds: Set<String> = []

    public init() {}

    public var exists: Bool { id != nil }

    public mutating func apply(_ event: any DomainEvent) {
        switch event {
        case let e as InvoiceIssued:
            id = e.invoiceId
            customerId = e.customerId
            total = e.total
            paid = .zero(e.total.currency)
            outstanding = e.total
            dueDate = e.dueDate
        case let e as InvoicePaymentReceived:
            paymentIds.insert(e.paymentId)
            paid = (try? paid.adding(e.amount)) ?? paid
            outstanding = e.outstanding
        case is InvoiceSettled:
            status = .settled
        case is InvoiceMarkedOverdue:
            isOverdue = true
        case is InvoiceWrittenOff:
            status = .writtenOff
            outstanding = .zero(total.currency)
        default:
            break
        }
    }

    /// The guard every command on an existing invoice starts with.
    func requireIssued(_ id: String) throws(DomainError) {
        guard exists else { throw .notFound(kind: "invoice", id: id) }
    }

    /// Refuses commands that need money to be owed, naming why nothing is.
    func requireOpen(_ id: String) throws(DomainError) {
        switch status {
        case .open: break
        case .settled: throw .ruleViolated(rule: "invoice-settled", detail: "invoice \(id) is paid in full; nothing is outstanding")
        case .writtenOff: throw .ruleViolated(rule: "invoice-written-off", detail: "invoice \(id) was written off")
        }
    }
}
