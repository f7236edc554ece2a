import Foundation

/// What a case is about; service cost and complaint analytics slice by it.
public enum CaseCategory: String, Sendable, Codable, CaseIterable {
    case question, technical, billing, delivery, returns, fieldService, product, account, other
}

/// Where a case stands. `open`, `inProgress` and `waitingOnCustomer` are working states an agent
/// moves between freely (`ChangeCaseStatus`); `resolved` and `closed` are reached only through
/// `ResolveCase` and `CloseCase`, and left only through `ReopenCase`.
public enum CaseStatus: String, Sendable, Codable, CaseIterable {
    case open, inProgress, waitingOnCustomer, resolved, closed

    /// The states `ChangeCaseStatus` may set.
    public static let working: Set<CaseStatus> = [.open, .inProgress, .waitingOnCustomer]
}

/// A customer asked for help (or complained) on some channel. The SLA due times are computed from
/// the priority's targets at opening and recorded here, so that a later change of the targets does
/// not rewrite whether past cases met them.
public struct CaseOpened: DomainEvent {
    public static let eventType = "CaseOpened"
    public var caseId: String
    public var customerId: String
    public var channel: InteractionChannel
    public var category: CaseCategory
    public var priority: CasePriority
    public var isComplaint: Bool
    public var subject: String
    public var description: String
    public var firstResponseDueAt: Date
    public var resolutionDueAt: Date
    public var occurredAt: Date
}

/// An agent took over the case (`previousAgentId` set when it is a reassignment).
public struct CaseAssigned: DomainEvent {
    public static let eventType = "CaseAssigned"
    public var caseId: String
    public var customerId: String
    public var agentId: String
    public var previousAgentId: String?
    public var occurredAt: Date
}

/// The customer got a first answer; recorded once, with whether the first-response SLA was missed.
public struct CaseFirstResponded: DomainEvent {
    public static let eventType = "CaseFirstResponded"
    public var caseId: String
    public var customerId: String
    /// The agent who answered (the assigned one when the command names none).
    public var agentId: String?
    public var dueAt: Date
    public var breached: Bool
    /// Whole minutes from opening to the response, for response-time statistics.
    public var minutesToRespond: Int
    public var occurredAt: Date
}

/// The case was raised to a higher support level.
public struct CaseEscalated: DomainEvent {
    public static let eventType = "CaseEscalated"
    public var caseId: String
    public var customerId: String
    public var level: Int
    public var previousLevel: Int
    public var reason: String
    public var occurredAt: Date
}

/// The case moved between working states.
public struct CaseStatusChanged: DomainEvent {
    public static let eventType = "CaseStatusChanged"
    public var caseId: String
    public var customerId: String
    public var from: CaseStatus
    public var to: CaseStatus
    public var occurredAt: Date
}

/// The case was solved, with whether the resolution SLA (set at opening) was missed.
public struct CaseResolved: DomainEvent {
    public static let eventType = "CaseResolved"
    public var caseId: String
    public var customerId: String
    /// The agent holding the case when it was resolved, for staff performance.
    public var agentId: String?
    public var resolution: String
    public var dueAt: Date
    public var breached: Bool
    /// Whole minutes from opening to this resolution.
    public var minutesToResolve: Int
    public var occurredAt: Date
}

/// A resolved or closed case was taken up again: the solution did not hold.
public struct CaseReopened: DomainEvent {
    public static let eventType = "CaseReopened"
    public var caseId: String
    public var customerId: String
    public var reason: String
    public var occurredAt: Date
}

/// The case is finished; from now on it accepts only `ReopenCase`.
public struct CaseClosed: DomainEvent {
    public static let eventType = "CaseClosed"
    public var caseId: String
    public var customerId: String
    public var occurredAt: Date
}
