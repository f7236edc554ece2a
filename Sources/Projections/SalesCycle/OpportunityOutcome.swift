import Domain

/// A close of an opportunity. A reopening retracts it (`retracted`), so an opportunity won, reopened
/// and lost shows both closes, and only the last counts as its outcome.
public struct OpportunityOutcome: Sendable, Codable, Equatable {
    /// `won` or `lost`.
    public var status: OpportunityStatus
    public var at: Int64
    /// The amount won (nil for a loss).
    public var amount: Money?
    /// Why it was lost (or the envelope's reason).
    public var reason: String?
    public var competitor: String?
    /// The stage it closed in.
    public var stage: String
    public var by: String
    public var retracted: Bool

    public init(status: OpportunityStatus, at: Int64, amount: Money?, reason: String?, competitor: String?, stage: String, by: String) {
        self.status = status
        self.at = at
        self.amount = amount
        self.reason = reason
        self.competitor = competitor
        self.stage = stage
        self.by = by
        retracted = false
    }
}
