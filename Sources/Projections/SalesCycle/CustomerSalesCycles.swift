/// A customer's sales cycles in opening order (its own and those of customers it absorbed), with
/// their stage paths and outcomes.
public struct CustomerSalesCycles: Sendable, Codable, Equatable {
    public var customerId: String
    /// Set when this customer was absorbed: its later cycles are the survivor's.
    public var mergedInto: String?
    public var absorbed: [String]
    public var cycles: [OpportunityCycle]
}
