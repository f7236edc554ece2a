import Domain

/// A won or lost opportunity taken up again: when, which outcome it undid, why and by whom.
public struct OpportunityReopening: Sendable, Codable, Equatable {
    public var at: Int64
    public var previousStatus: OpportunityStatus
    public var reason: String
    public var by: String

    public init(at: Int64, previousStatus: OpportunityStatus, reason: String, by: String) {
        self.at = at
        self.previousStatus = previousStatus
        self.reason = reason
        self.by = by
    }
}
