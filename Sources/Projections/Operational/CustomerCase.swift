import Domain
import Foundation

/// A service case as the customer 360 shows it.
public struct CustomerCase: Sendable, Codable, Equatable {
    public var caseId: String
    /// The customer the case was opened for (the 360 of its survivor shows it after a merge).
    public var customerId: String
    public var priority: CasePriority
    public var status: CaseStatus
    public var openedAt: Date
    public var isComplaint: Bool
    public var subject: String

    /// Whether the case is still being worked (not resolved or closed).
    var isOpen: Bool { CaseStatus.working.contains(status) }
}
