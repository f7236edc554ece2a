import Foundation

/// A customer-manager task (`task-<id>`): who holds it, when it is due, and whether it is still
/// open, which is all its rules look at. (Named `WorkTask` so it does not shadow Swift's `Task`.)
public struct WorkTask: Aggregate, Equatable {
    public static let category = "task"
    public static let eventTypes: [any DomainEvent.Type] = [
        WorkTaskAssigned.self, WorkTaskReassigned.self, WorkTaskCompleted.self, WorkTaskMarkedOverdue.self, WorkTaskCancelled.self,
    ]

    /// Open tasks can still change; completed and cancelled ones are final.
    public enum Status: String, Sendable, Codable, CaseIterable { case open, completed, cancelled }

    /// Who holds the task, for whom, and until when; what the rules on an assigned task read.
    public struct Assignment: Sendable, Equatable {
        /// The manager currently holding the task.
        public var managerId: String
        /// The customer the task concerns.
        public var customerId: String
        /// After this (business time) the task may be marked overdue.
        public var dueAt: Date
    }

    /// Nil until assigned.
    public var assignment: Assignment?
    /// Only open tasks accept commands.
    public var status: Status = .open
    /// Set once the task was marked overdue, so it is not marked twice.
    public var isOverdue = false

    public init() {}

    /// Whether the task was assigned.
    public var exists: Bool { assignment != nil }

    public mutating func apply(_ event: any DomainEvent) {
        switch event {
        case let e as WorkTaskAssigned:
            assignment = Assignment(managerId: e.managerId, customerId: e.customerId, dueAt: e.dueAt)
        case let e as WorkTaskReassigned:
            assignment?.managerId = e.managerId
        case is WorkTaskCompleted:
            status = .completed
        case is WorkTaskMarkedOverdue:
            isOverdue = true
        case is WorkTaskCancelled:
            status = .cancelled
        default:
            break
        }
    }

    /// The guard of every command that changes an assigned task: it must exist and still be open.
    @discardableResult
    func requireOpen(_ id: String) throws(DomainError) -> Assignment {
        guard let assignment else { throw .notFound(kind: "task", id: id) }
        switch status {
        case .open: return assignment
        case .completed: throw .ruleViolated(rule: "task-already-completed", detail: "task \(id) is already completed")
        case .cancelled: throw .ruleViolated(rule: "task-cancelled", detail: "task \(id) was cancelled")
        }
    }
}
