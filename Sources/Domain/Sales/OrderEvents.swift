import Foundation

/// Where an order stands; fulfilled and cancelled exclude each other.
public enum OrderStatus: String, Sendable, Codable, CaseIterable {
    case placed, fulfilled, cancelled
}

/// A customer ordered these lines, possibly from an accepted quote.
public struct OrderPlaced: DomainEvent {
    public static let eventType = "OrderPlaced"
    public var orderId: String
    public var customerId: String
    public var quoteId: String?
    /// Copied from the quote, so revenue can be traced back to the opportunity.
    public var opportunityId: String?
    public var lines: [PricedSalesLine]
    /// Sum of the line totals, in the lines' one currency.
    public var total: Money
    public var occurredAt: Date
}

/// The order was delivered; it can no longer be cancelled.
public struct OrderFulfilled: DomainEvent {
    public static let eventType = "OrderFulfilled"
    public var orderId: String
    public var occurredAt: Date
}

/// The order was called off, and why; it can no longer be fulfilled.
public struct OrderCancelled: DomainEvent {
    public static let eventType = "OrderCancelled"
    public var orderId: String
    public var reason: String
    public var occurredAt: Date
}
