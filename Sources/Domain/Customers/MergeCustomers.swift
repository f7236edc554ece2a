import Foundation

/// Merges a duplicate into the customer that survives. Both streams change atomically: the survivor
/// records `CustomerMerged`, the absorbed customer `CustomerAbsorbed`; both histories stay readable,
/// and later commands to the absorbed id are refused naming the survivor.
public struct MergeCustomers: Codable, Sendable {
    public static let commandType = "MergeCustomers"
    public var survivorId: String
    public var absorbedId: String
    public var reason: String

    public init(survivorId: String, absorbedId: String, reason: String) {
        self.survivorId = survivorId
        self.absorbedId = absorbedId
        self.reason = reason
    }

    /// The events for each of the two streams.
    public func decide(survivor: Customer, absorbed: Customer, _ context: DecisionContext) throws(DomainError) -> (survivor: [any DomainEvent], absorbed: [any DomainEvent]) {
        guard survivorId != absorbedId else { throw .invalid(field: "absorbedId", reason: "a customer cannot absorb itself") }
        try survivor.requireCommandable(survivorId)
        try absorbed.requireCommandable(absorbedId)
        let reason = try Validate.text(reason, "reason", max: 500)
        return ([CustomerMerged(customerId: survivorId, absorbedId: absorbedId, reason: reason, occurredAt: context.now)],
                [CustomerAbsorbed(customerId: absorbedId, survivorId: survivorId, occurredAt: context.now)])
    }
}
