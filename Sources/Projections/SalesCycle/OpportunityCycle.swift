import Domain

/// The sales cycle of one opportunity: its kind (new business, up-sell, cross-sell, renewal), its
/// stage path with entry and exit times, reversals, reopenings and outcomes.
public struct OpportunityCycle: Sendable, Codable, Equatable {
    public var opportunityId: String
    public var customerId: String
    public var kind: SalesCycleKind
    public var title: String
    public var processId: String
    /// The stage names of the process version followed, in process order.
    public var stageOrder: [String]
    /// The current owner (customer manager or rep).
    public var ownerId: String
    public var openedAt: Int64
    public var openedBy: String
    /// The current expected (or won) amount.
    public var amount: Money
    public var status: OpportunityStatus
    /// Every stay in a stage, in order.
    public var visits: [StageVisit]
    /// Moves back to an earlier stage.
    public var reversals: Int
    /// Moves skipping stages.
    public var skips: Int
    public var reopenings: [OpportunityReopening]
    public var outcomes: [OpportunityOutcome]
    /// Time of the current outcome, nil while open.
    public var closedAt: Int64?
    /// Latest business time applied (later events dated earlier are clamped to it).
    public var lastTime: Int64
    /// Moves recorded so far (numbers the `moves` keys).
    public var moveCount: Int

    /// The outcome that counts: the last close unless the opportunity is open again.
    public var outcome: OpportunityOutcome? { status == .open ? nil : outcomes.last }

    /// Days from opening to the current outcome, nil while open.
    public var cycleDays: Int64? { closedAt.map { ($0 - openedAt) / 86_400_000 } }
}
