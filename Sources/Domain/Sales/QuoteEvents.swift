import Foundation

/// Where a quote stands; accepted and rejected are final (a new offer is a new quote).
public enum QuoteStatus: String, Sendable, Codable, CaseIterable {
    case issued, accepted, rejected
}

/// A priced offer was sent to a customer, optionally within an opportunity. Revision 1.
public struct QuoteIssued: DomainEvent {
    public static let eventType = "QuoteIssued"
    public var quoteId: String
    public var customerId: String
    public var opportunityId: String?
    /// Always 1.
    public var revision: Int
    public var lines: [PricedSalesLine]
    /// Sum of the line totals, in the lines' one currency.
    public var total: Money
    /// After this date the quote can no longer be accepted.
    public var validUntil: Date?
    public var occurredAt: Date
}

/// The offer was changed before the customer answered; `revision` is the previous one plus one.
public struct QuoteRevised: DomainEvent {
    public static let eventType = "QuoteRevised"
    public var quoteId: String
    public var revision: Int
    public var lines: [PricedSalesLine]
    public var total: Money
    public var validUntil: Date?
    public var reason: String?
    public var occurredAt: Date
}

/// The customer accepted the quote's latest revision.
public struct QuoteAccepted: DomainEvent {
    public static let eventType = "QuoteAccepted"
    public var quoteId: String
    public var revision: Int
    public var total: Money
    public var occurredAt: Date
}

/// The customer declined the quote, and why.
public struct QuoteRejected: DomainEvent {
    public static let eventType = "QuoteRejected"
    public var quoteId: String
    public var revision: Int
    public var reason: String
    public var occurredAt: Date
}
