import Domain
import Foundation

/// A service case as the queue keeps it: who holds it, where it stands, and its SLA due times
/// (recorded on `CaseOpened` from `DomainConfiguration.serviceLevels`, never recomputed), so
/// that breaches are judged against a query-time `now` and the read model stays a pure fold.
public struct QueuedCase: Sendable, Codable, Equatable {
    public var caseId: String
    public var customerId: String
    public var priority: CasePriority
    public var category: CaseCategory
    public var isComplaint: Bool
    public var subject: String
    public var status: CaseStatus
    /// Nil while unassigned.
    public var agentId: String?
    public var escalationLevel: Int
    public var openedAt: Date
    public var firstResponseDueAt: Date
    /// Nil until the customer got a first answer.
    public var firstRespondedAt: Date?
    public var resolutionDueAt: Date

    /// Whether the case is in the queue (a working state).
    public var isOpen: Bool { CaseStatus.working.contains(status) }

    /// The next SLA time still pending: the first-response due time until answered, else the
    /// resolution due time (whichever is earlier while both are pending).
    public var nextDueAt: Date {
        firstRespondedAt == nil ? min(firstResponseDueAt, resolutionDueAt) : resolutionDueAt
    }

    /// Whether a pending SLA target is already missed at `now`.
    public func isBreached(at now: Date) -> Bool { nextDueAt < now }

    /// Order of priorities in the queue: urgent first.
    static func rank(_ priority: CasePriority) -> String {
        switch priority {
        case .urgent: "0"
        case .high: "1"
        case .normal: "2"
        case .low: "3"
        }
    }
}
