import Foundation

/// The order aggregate (`order-<id>`): enough to decide fulfilment and cancellation.
public struct Order: Aggregate, Equatable {
    public static let category = "order"
    public static let eventTypes: [any DomainEvent.Type] = [OrderPlaced.self, OrderFulfilled.self, OrderCancelled.self]

    public var id: String?
    public var customerId = ""
    public var quoteId: String?
    /// Meaningful once placed (`XXX` is ISO 4217's "no currency").
    public var total = Money.zero("XXX")
    public var status: OrderStatus = .placed

    public init() {}

    public var exists: Bool { id != nil }

    public mutating func apply(_ event: any DomainEvent) {
        switch event {
        case let e as OrderPlaced:
            id = e.orderId
            customerId = e.customerId
            quoteId = e.quoteId
            total = e.total
        case is OrderFulfilled:
            status = .fulfilled
        case is OrderCancelled:
            status = .cancelled
        default:
            break
        }
    }

    func requireExists(_ id: String) throws(DomainError) {
        guard exists else { throw .notFound(kind: "order", id: id) }
    }
}
