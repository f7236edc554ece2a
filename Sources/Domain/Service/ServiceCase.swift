import Foundation

/// The service case aggregate (`case-<id>`): what assignment, SLA, escalation and life-cycle
/// decisions need.
///
/// Life cycle: open ⇄ inProgress ⇄ waitingOnCustomer → resolved → closed; `ReopenCase` takes a
/// resolved or closed case back to open. A closed case accepts only `ReopenCase`. The SLA due times
/// stay those computed at opening, also after a reopen, so a reopened case that is resolved late
/// counts as a breach.
public struct ServiceCase: Aggregate, Equatable {
    public static let category = "case"
    public static let eventTypes: [any DomainEvent.Type] = [
        CaseOpened.self, CaseAssigned.self, CaseFirstResponded.self, CaseEscalated.self, CaseStatusChanged.self,
        CaseResolved.self, CaseReopened.self, CaseClosed.self,
    ]

    public var id: String?
    public var customerId = ""
    public var priority = CasePriority.normal
    public var status = CaseStatus.open
    public var agentId: String?
    public var openedAt = Date(timeIntervalSince1970: 0)
    public var firstResponseDueAt = Date(timeIntervalSince1970: 0)
    public var resolutionDueAt = Date(timeIntervalSince1970: 0)
    public var hasFirstResponse = false
    /// 0 until escalated; each escalation raises it.
    public var escalationLevel = 0

    public init() {}

    public var exists: Bool { id != nil }

    public mutating func apply(_ event: any DomainEvent) {
        switch event {
        case let e as CaseOpened:
            id = e.caseId
            customerId = e.customerId
            priority = e.priority
            openedAt = e.occurredAt
            firstResponseDueAt = e.firstResponseDueAt
            resolutionDueAt = e.resolutionDueAt
        case let e as CaseAssigned:
            agentId = e.agentId
        case is CaseFirstResponded:
            hasFirstResponse = true
        case let e as CaseEscalated:
            escalationLevel = e.level
        case let e as CaseStatusChanged:
            status = e.to
        case is CaseResolved:
            status = .resolved
        case is CaseReopened:
            status = .open
        case is CaseClosed:
            status = .closed
        default:
            break
        }
    }

    /// The guard every command on a case starts with: it exists and is not closed (a closed case
    /// accepts only `ReopenCase`, which checks existence alone).
    func requireWorkable(_ id: String) throws(DomainError) {
        guard exists else { throw .notFound(kind: "case", id: id) }
        guard status != .closed else {
            throw .ruleViolated(rule: "case-closed", detail: "case \(id) is closed; only ReopenCase is accepted")
        }
    }

    /// Refuses commands that need unresolved work on a resolved case.
    func requireUnresolved(_ id: String) throws(DomainError) {
        guard status != .resolved else {
            throw .ruleViolated(rule: "case-resolved", detail: "case \(id) is resolved; reopen it first")
        }
    }

    /// Whole minutes from opening to `date`.
    func minutesSinceOpened(_ date: Date) -> Int {
        max(0, Int(date.timeIntervalSince(openedAt) / 60))
    }
}
