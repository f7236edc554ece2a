import Domain

/// The current outcome of a closed opportunity, stored under `sortable(closedAt)\0opportunity`; a
/// reopening deletes it (a retraction), so win rates and cycle lengths of a period count each
/// opportunity's standing outcome once.
public struct CycleClose: Sendable, Codable, Equatable {
    public var opportunityId: String
    public var customerId: String
    public var kind: SalesCycleKind
    public var ownerId: String
    public var status: OpportunityStatus
    public var amount: Money
    public var reason: String?
    public var competitor: String?
    public var stage: String
    public var openedAt: Int64
    public var closedAt: Int64

    /// Whole days from opening to the close.
    public var days: Int64 { (closedAt - openedAt) / 86_400_000 }
}
