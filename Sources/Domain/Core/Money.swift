import Foundation

/// A non-negative amount of money in one currency, held exactly in minor units (cents).
///
/// Money is never a floating-point number: sums of invoices and payments must be exact, and an
/// auditor must get back the digits that were entered. JSON form: `{"amount":"1234.50","currency":"EUR"}`.
public struct Money: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The amount in minor units (for two-decimal currencies, cents).
    public let minorUnits: Int64
    /// ISO 4217 code, three upper-case letters.
    public let currency: String

    /// Digits after the decimal point; every supported currency uses two.
    public static let scale = 2

    /// Fails on negative amounts and malformed currency codes.
    public init(minorUnits: Int64, currency: String) throws(DomainError) {
        guard minorUnits >= 0 else { throw .invalid(field: "amount", reason: "must not be negative") }
        guard Money.isCurrencyCode(currency) else { throw .invalid(field: "currency", reason: "'\(currency)' is not an ISO 4217 code") }
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// Parses a decimal string such as `"1234.5"` exactly.
    public init(_ amount: String, _ currency: String) throws(DomainError) {
        guard let minor = Money.parseMinorUnits(amount) else {
            throw .invalid(field: "amount", reason: "'\(amount)' is not a non-negative decimal with at most \(Money.scale) decimals")
        }
        try self.init(minorUnits: minor, currency: currency)
    }

    /// Zero in `currency`.
    public static func zero(_ currency: String) -> Money {
        // A valid code is the caller's responsibility; `zero` is used with codes taken from existing amounts.
        Money(unchecked: 0, currency)
    }

    init(unchecked minorUnits: Int64, _ currency: String) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// The decimal string, always with two decimals.
    public var amount: String {
        let whole = minorUnits / 100
        let fraction = minorUnits % 100
        return "\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    public var description: String { "\(amount) \(currency)" }

    /// Sum; throws on mixed currencies or overflow.
    public func adding(_ other: Money) throws(DomainError) -> Money {
        try requireSameCurrency(other)
        let (sum, overflow) = minorUnits.addingReportingOverflow(other.minorUnits)
        guard !overflow else { throw .invalid(field: "amount", reason: "sum overflows") }
        return Money(unchecked: sum, currency)
    }

    /// Difference, floored at zero is NOT applied: throws when the result would be negative.
    public func subtracting(_ other: Money) throws(DomainError) -> Money {
        try requireSameCurrency(other)
        guard other.minorUnits <= minorUnits else { throw .invalid(field: "amount", reason: "\(other) exceeds \(self)") }
        return Money(unchecked: minorUnits - other.minorUnits, currency)
    }

    /// `self × quantity × (1 − discountPercent/100)`, rounded half-up to the minor unit.
    public func lineTotal(quantity: Int, discountPercent: Int) throws(DomainError) -> Money {
        guard quantity > 0 else { throw .invalid(field: "quantity", reason: "must be positive") }
        guard (0...100).contains(discountPercent) else { throw .invalid(field: "discountPercent", reason: "must be between 0 and 100") }
        let (gross, overflow) = minorUnits.multipliedReportingOverflow(by: Int64(quantity))
        guard !overflow, gross < Int64.max / 100 else { throw .invalid(field: "amount", reason: "line total overflows") }
        let net = (gross * Int64(100 - discountPercent) + 50) / 100
        return Money(unchecked: net, currency)
    }

    func requireSameCurrency(_ other: Money) throws(DomainError) {
        guard other.currency == currency else {
            throw .invalid(field: "currency", reason: "\(other.currency) does not match \(currency)")
        }
    }

    public static func < (lhs: Money, rhs: Money) -> Bool {
        lhs.currency == rhs.currency ? lhs.minorUnits < rhs.minorUnits : lhs.currency < rhs.currency
    }

    static func isCurrencyCode(_ code: String) -> Bool {
        code.utf8.count == 3 && code.utf8.allSatisfy { (65...90).contains($0) }
    }

    static func parseMinorUnits(_ text: String) -> Int64? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = parts.first, !whole.isEmpty,
              whole.utf8.allSatisfy({ (48...57).contains($0) }), whole.count <= 15 else { return nil }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.count <= scale, fraction.utf8.allSatisfy({ (48...57).contains($0) }),
              parts.count == 1 || !fraction.isEmpty else { return nil }
        while fraction.count < scale { fraction += "0" }
        guard let w = Int64(whole), let f = Int64(fraction) else { return nil }
        return w * 100 + f
    }

    enum CodingKeys: String, CodingKey { case amount, currency }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let amount = try container.decode(String.self, forKey: .amount)
        let currency = try container.decode(String.self, forKey: .currency)
        do { try self.init(amount, currency) } catch {
            throw DecodingError.dataCorruptedError(forKey: .amount, in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(amount, forKey: .amount)
        try container.encode(currency, forKey: .currency)
    }
}
