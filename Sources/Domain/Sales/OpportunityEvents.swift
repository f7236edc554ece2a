import Foundation

/// The four customer sales cycles of the design documents: winning a new customer, selling more of
/// the same, selling something else, and keeping the customer (renewal, retention).
public enum SalesCycleKind: String, Sendable, Codable, CaseIterable {
    case newBusiness, upSell, crossSell, renewal
}

/// Whether an opportunity is still being worked or has an outcome.
public enum OpportunityStatus: String, Sendable, Codable, CaseIterable {
    case open, won, lost
}

/// How a stage change relates to the process order: the next stage, a later one (skipping some),
/// or an earlier one. Funnel and step-pattern analytics read it.
public enum StageMoveDirection: String, Sendable, Codable, CaseIterable {
    case forward, skip, back
}

/// A deal is being pursued. The opportunity copies the stages of the process version it follows,
/// so its history stays meaningful after the process is revised.
public struct OpportunityOpened: DomainEvent {
    public static let eventType = "OpportunityOpened"
    public var opportunityId: String
    public var customerId: String
    /// Set when the opportunity came from a converted lead.
    public var leadId: String?
    public var title: String
    public var processId: String
    public var processVersion: Int
    public var stages: [SalesStage]
    public var allowsSkipping: Bool
    /// The first stage of the process, where every opportunity starts.
    public var stage: String
    public var cycleKind: SalesCycleKind
    public var amount: Money
    public var expectedCloseDate: Date
    /// The customer manager or sales rep responsible.
    public var ownerId: String
    /// Step-template field values known at opening.
    public var fields: [String: String]
    public var occurredAt: Date
}

/// Step-template field values were filled in, changed or cleared (old and new values).
public struct OpportunityFieldsSet: DomainEvent {
    public static let eventType = "OpportunityFieldsSet"
    public var opportunityId: String
    public var changes: [FieldChange]
    public var occurredAt: Date
}

/// The opportunity entered another stage of its process.
public struct OpportunityStageChanged: DomainEvent {
    public static let eventType = "OpportunityStageChanged"
    public var opportunityId: String
    public var fromStage: String
    public var toStage: String
    public var direction: StageMoveDirection
    /// Required for `back`; optional otherwise.
    public var reason: String?
    /// The win probability of `toStage`, for the weighted pipeline.
    public var winProbability: Int
    public var occurredAt: Date
}

/// The expected deal size changed.
public struct OpportunityAmountChanged: DomainEvent {
    public static let eventType = "OpportunityAmountChanged"
    public var opportunityId: String
    public var oldAmount: Money
    public var newAmount: Money
    public var reason: String?
    public var occurredAt: Date
}

/// The expected close date moved (slippage is a forecasting signal).
public struct OpportunityCloseDateChanged: DomainEvent {
    public static let eventType = "OpportunityCloseDateChanged"
    public var opportunityId: String
    public var oldDate: Date
    public var newDate: Date
    public var reason: String?
    public var occurredAt: Date
}

/// Another customer manager or rep took over the opportunity.
public struct OpportunityOwnerChanged: DomainEvent {
    public static let eventType = "OpportunityOwnerChanged"
    public var opportunityId: String
    public var ownerId: String
    public var previousOwnerId: String
    public var occurredAt: Date
}

/// The opportunity now follows a newer version of its process.
public struct OpportunityProcessRevisionAdopted: DomainEvent {
    public static let eventType = "OpportunityProcessRevisionAdopted"
    public var opportunityId: String
    public var processId: String
    public var previousVersion: Int
    public var processVersion: Int
    public var stages: [SalesStage]
    public var allowsSkipping: Bool
    public var occurredAt: Date
}

/// The deal was won, for this amount and these products; terminal until reopened.
public struct OpportunityWon: DomainEvent {
    public static let eventType = "OpportunityWon"
    public var opportunityId: String
    public var amount: Money
    public var productIds: [String]
    /// The stage the deal was in when it was won.
    public var stage: String
    public var occurredAt: Date
}

/// The deal was lost, why, and to whom; terminal until reopened.
public struct OpportunityLost: DomainEvent {
    public static let eventType = "OpportunityLost"
    public var opportunityId: String
    public var reason: String
    public var competitor: String?
    public var stage: String
    public var occurredAt: Date
}

/// A won or lost opportunity is being worked again.
public struct OpportunityReopened: DomainEvent {
    public static let eventType = "OpportunityReopened"
    public var opportunityId: String
    /// `won` or `lost`: the outcome being undone.
    public var previousStatus: OpportunityStatus
    public var reason: String
    public var occurredAt: Date
}
