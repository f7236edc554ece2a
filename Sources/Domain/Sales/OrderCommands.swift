import Foundation

/// Places an order for an existing, unmerged customer. With `quoteId`, the quote must be accepted
/// and belong to the customer, and nil `lines` means the quote's lines. All lines in one currency.
public struct PlaceOrder: DomainCommand {
    public typealias Target = Order
    public static let commandType = "PlaceOrder"
    public var orderId: String
    public var customerId: String
    public var quoteId: String?
    public var lines: [SalesLineItem]?

    public init(orderId: String, customerId: String, quoteId: String? = nil, lines: [SalesLineItem]? = nil) {
        self.orderId = orderId
        self.customerId = customerId
        self.quoteId = quoteId
        self.lines = lines
    }

    public var targetId: String { orderId }

    public var references: [RecordReference] {
        [.record(Customer.self, customerId)] + (quoteId.map { [.record(Quote.self, $0)] } ?? [])
    }

    public func decide(_ state: Order, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        let id = try Validate.id(orderId, "orderId")
        guard !state.exists else { throw .alreadyExists(kind: "order", id: id) }
        let customer = context.record(Customer.self, customerId) ?? Customer()
        try customer.requireCommandable(customerId)
        var quote: Quote?
        if let quoteId {
            let found = context.record(Quote.self, quoteId) ?? Quote()
            try found.requireExists(quoteId)
            guard found.status == .accepted else {
                throw .ruleViolated(rule: "quote-not-accepted", detail: "quote \(quoteId) is \(found.status.rawValue)")
            }
            guard customer.owns(found.customerId) else {
                throw .invalid(field: "quoteId", reason: "quote \(quoteId) belongs to customer \(found.customerId)")
            }
            quote = found
        }
        let priced: (lines: [PricedSalesLine], total: Money)
        if let lines {
            priced = try SalesPricing.price(lines)
        } else if let quote {
            priced = (quote.lines, quote.total)
        } else {
            throw .invalid(field: "lines", reason: "required when the order is not placed from a quote")
        }
        return [OrderPlaced(orderId: id, customerId: customerId, quoteId: quoteId, opportunityId: quote?.opportunityId,
                            lines: priced.lines, total: priced.total, occurredAt: context.now)]
    }
}

/// Records delivery of a placed order. Fulfilling a fulfilled order changes nothing.
public struct FulfillOrder: DomainCommand {
    public typealias Target = Order
    public static let commandType = "FulfillOrder"
    public var orderId: String

    public init(orderId: String) {
        self.orderId = orderId
    }

    public var targetId: String { orderId }

    public func decide(_ state: Order, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireExists(orderId)
        switch state.status {
        case .fulfilled: return []
        case .cancelled: throw .ruleViolated(rule: "order-cancelled", detail: "order \(orderId) was cancelled and cannot be fulfilled")
        case .placed: return [OrderFulfilled(orderId: orderId, occurredAt: context.now)]
        }
    }
}

/// Calls off a placed order, with a reason. Cancelling a cancelled order changes nothing.
public struct CancelOrder: DomainCommand {
    public typealias Target = Order
    public static let commandType = "CancelOrder"
    public var orderId: String
    public var reason: String

    public init(orderId: String, reason: String) {
        self.orderId = orderId
        self.reason = reason
    }

    public var targetId: String { orderId }

    public func decide(_ state: Order, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireExists(orderId)
        let reason = try Validate.text(reason, "reason", max: 500)
        switch state.status {
        case .cancelled: return []
        case .fulfilled: throw .ruleViolated(rule: "order-fulfilled", detail: "order \(orderId) was fulfilled and cannot be cancelled")
        case .placed: return [OrderCancelled(orderId: orderId, reason: reason, occurredAt: context.now)]
        }
    }
}
