import Foundation

/// One line of a quote or order as the seller enters it: what, how many, at what price and discount.
///
/// The total is not part of the input: it is computed with `Money.lineTotal` so that every quote
/// and order rounds the same way, and stored as a `PricedSalesLine`.
public struct SalesLineItem: Sendable, Codable, Equatable {
    public var productId: String
    public var quantity: Int
    public var unitPrice: Money
    /// 0–100; omitted in JSON means no discount.
    public var discountPercent: Int

    public init(productId: String, quantity: Int, unitPrice: Money, discountPercent: Int = 0) {
        self.productId = productId
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.discountPercent = discountPercent
    }

    enum CodingKeys: String, CodingKey { case productId, quantity, unitPrice, discountPercent }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        productId = try container.decode(String.self, forKey: .productId)
        quantity = try container.decode(Int.self, forKey: .quantity)
        unitPrice = try container.decode(Money.self, forKey: .unitPrice)
        discountPercent = try container.decodeIfPresent(Int.self, forKey: .discountPercent) ?? 0
    }
}

/// A line with its computed total, as quotes and orders record it, so that read models and
/// invoices never recompute (and never round differently).
public struct PricedSalesLine: Sendable, Codable, Equatable {
    public var productId: String
    public var quantity: Int
    public var unitPrice: Money
    public var discountPercent: Int
    /// `unitPrice × quantity × (1 − discountPercent/100)`, rounded half-up to the minor unit.
    public var lineTotal: Money
}

/// Validates and prices the lines of one quote or order.
enum SalesPricing {
    /// Upper bound on lines per document, to keep events small.
    static let maxLines = 500

    /// The priced lines and their sum. Refuses an empty list, more than `maxLines` lines, invalid
    /// product ids, non-positive quantities, discounts outside 0–100, and mixed currencies.
    static func price(_ items: [SalesLineItem]) throws(DomainError) -> (lines: [PricedSalesLine], total: Money) {
        guard let first = items.first else { throw .invalid(field: "lines", reason: "at least one line is required") }
        guard items.count <= maxLines else { throw .invalid(field: "lines", reason: "more than \(maxLines) lines") }
        var total = Money.zero(first.unitPrice.currency)
        var lines: [PricedSalesLine] = []
        lines.reserveCapacity(items.count)
        for item in items {
            try first.unitPrice.requireSameCurrency(item.unitPrice)
            let lineTotal = try item.unitPrice.lineTotal(quantity: item.quantity, discountPercent: item.discountPercent)
            lines.append(PricedSalesLine(
                productId: try Validate.id(item.productId, "productId"), quantity: item.quantity, unitPrice: item.unitPrice,
                discountPercent: item.discountPercent, lineTotal: lineTotal))
            total = try total.adding(lineTotal)
        }
        return (lines, total)
    }
}
