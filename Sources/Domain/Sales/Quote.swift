import Foundation

/// The quote aggregate (`quote-<id>`): the latest revision's lines and whether the customer has
/// answered.
public struct Quote: Aggregate, Equatable {
    public static let category = "quote"
    public static let eventTypes: [any DomainEvent.Type] = [QuoteIssued.self, QuoteRevised.self, QuoteAccepted.self, QuoteRejected.self]

    public var id: String?
    public var customerId = ""
    public var opportunityId: String?
    public var revision = 0
    public var lines: [PricedSalesLine] = []
    /// Meaningful once issued (`XXX` is ISO 4217's "no currency").
    public var total = Money.zero("XXX")
    public var validUntil: Date?
    public var status: QuoteStatus = .issued

    public init() {}

    public var exists: Bool { id != nil }

    public mutating func apply(_ event: any DomainEvent) {
        switch event {
        case let e as QuoteIssued:
            id = e.quoteId
            customerId = e.customerId
            opportunityId = e.opportunityId
            revision = e.revision
            lines = e.lines
            total = e.total
            validUntil = e.validUntil
        case let e as QuoteRevised:
            revision = e.revision
            lines = e.lines
            total = e.total
            validUntil = e.validUntil
        case is QuoteAccepted:
            status = .accepted
        case is QuoteRejected:
            status = .rejected
        default:
            break
        }
    }

    func requireExists(_ id: String) throws(DomainError) {
        guard exists else { throw .notFound(kind: "quote", id: id) }
    }

    /// The guard of commands that need an unanswered quote.
    func requireIssued(_ id: String) throws(DomainError) {
        try requireExists(id)
        guard status == .issued else {
            throw .ruleViolated(rule: "quote-closed", detail: "quote \(id) was \(status.rawValue); issue a new quote instead")
        }
    }
}
