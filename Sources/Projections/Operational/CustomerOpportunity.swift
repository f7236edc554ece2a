import Domain
import Foundation

/// An opportunity as the customer 360 shows it; stored per opportunity so that stage, amount
/// and close-date changes touch one small value.
public struct CustomerOpportunity: Sendable, Codable, Equatable {
    public var opportunityId: String
    /// The customer the opportunity was opened for (the 360 of its survivor shows it after a merge).
    public var customerId: String
    public var title: String
    public var stage: String
    public var amount: Money
    public var expectedCloseDate: Date
    public var status: OpportunityStatus
}
