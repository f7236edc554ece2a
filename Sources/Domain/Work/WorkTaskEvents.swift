import Foundation

/// What a customer manager is asked to do; the closed list lets appraisal compare like with like.
public enum WorkTaskKind: String, Sendable, Codable, CaseIterable {
    case call, visit, email, followUp
    /// Collecting arrears from the customer.
    case arrearsCollection
    /// Keeping a customer who shows signs of leaving.
    case retention
}

/// A task was given to a customer manager, about one customer, due at a given time.
public struct WorkTaskAssigned: DomainEvent {
    public static let eventType = "WorkTaskAssigned"
    /// Names the stream `task-<id>`; chosen by the caller so retries and imports are idempotent.
    public var taskId: String
    /// The customer manager who must do it.
    public var managerId: String
    /// The customer it concerns.
    public var customerId: String
    /// What to do, in a line the manager sees in the task list.
    public var title: String
    /// What sort of work it is, for workload and appraisal by kind.
    public var kind: WorkTaskKind
    /// After this the task may be marked overdue.
    public var dueAt: Date
    public var occurredAt: Date
}

/// The task moved to another manager; the previous one is kept for the appraisal of both.
public struct WorkTaskReassigned: DomainEvent {
    public static let eventType = "WorkTaskReassigned"
    /// Names the stream `task-<id>`; chosen by the caller so retries and imports are idempotent.
    public var taskId: String
    /// The customer manager responsible, whose appraisal the task counts in.
    public var managerId: String
    /// The manager who held the task before, so both appraisals see the hand-over.
    public var previousManagerId: String
    /// Why, for whoever reviews the task later.
    public var reason: String?
    public var occurredAt: Date
}

/// The manager finished the task; the outcome note is what evaluation reads.
public struct WorkTaskCompleted: DomainEvent {
    public static let eventType = "WorkTaskCompleted"
    /// Names the stream `task-<id>`; chosen by the caller so retries and imports are idempotent.
    public var taskId: String
    /// The manager holding the task when it was done, credited with it.
    public var managerId: String
    /// How it went: what evaluation of the task reads.
    public var outcome: String
    public var occurredAt: Date
}

/// The due time passed with the task still open; recorded once, it stays on the manager's record
/// even if the task is done later.
public struct WorkTaskMarkedOverdue: DomainEvent {
    public static let eventType = "WorkTaskMarkedOverdue"
    /// Names the stream `task-<id>`; chosen by the caller so retries and imports are idempotent.
    public var taskId: String
    /// The manager holding the task when it went overdue.
    public var managerId: String
    /// After this (business time) the task may be marked overdue.
    public var dueAt: Date
    public var occurredAt: Date
}

/// The task was called off and will not be done.
public struct WorkTaskCancelled: DomainEvent {
    public static let eventType = "WorkTaskCancelled"
    /// Names the stream `task-<id>`; chosen by the caller so retries and imports are idempotent.
    public var taskId: String
    /// Why, for whoever reviews the task later.
    public var reason: String
    public var occurredAt: Date
}
