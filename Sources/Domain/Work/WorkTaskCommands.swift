import Foundation

/// Gives a customer manager a task about an existing, unmerged customer.
public struct AssignWorkTask: DomainCommand {
    public typealias Target = WorkTask
    public static let commandType = "AssignWorkTask"
    /// Names the stream `task-<id>`; chosen by the caller so retries and imports are idempotent.
    public var taskId: String
    /// The customer manager responsible, whose appraisal the task counts in.
    public var managerId: String
    /// The customer the task concerns; must exist and not be merged.
    public var customerId: String
    /// What to do, in a line the manager sees in the task list.
    public var title: String
    /// What sort of work it is, for workload and appraisal by kind.
    public var kind: WorkTaskKind
    /// After this (business time) the task may be marked overdue.
    public var dueAt: Date

    /// Assigns a new task `taskId` to `managerId` about `customerId`.
    public init(taskId: String, managerId: String, customerId: String, title: String, kind: WorkTaskKind, dueAt: Date) {
        self.taskId = taskId
        self.managerId = managerId
        self.customerId = customerId
        self.title = title
        self.kind = kind
        self.dueAt = dueAt
    }

    public var targetId: String { taskId }
    public var references: [RecordReference] { [.record(Customer.self, customerId)] }

    public func decide(_ state: WorkTask, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        let id = try Validate.id(taskId, "taskId")
        guard !state.exists else { throw .alreadyExists(kind: "task", id: id) }
        let manager = try Validate.id(managerId, "managerId")
        let customerId = try Validate.id(customerId, "customerId")
        try (context.record(Customer.self, customerId) ?? Customer()).requireCommandable(customerId)
        return [WorkTaskAssigned(taskId: id, managerId: manager, customerId: customerId, title: try Validate.text(title, "title"),
                                 kind: kind, dueAt: try Validate.date(dueAt, "dueAt"), occurredAt: context.now)]
    }
}

/// Hands an open task to another manager; reassigning to the current holder changes nothing.
public struct ReassignWorkTask: DomainCommand {
    public typealias Target = WorkTask
    public static let commandType = "ReassignWorkTask"
    /// Names the stream `task-<id>`; chosen by the caller so retries and imports are idempotent.
    public var taskId: String
    /// The customer manager responsible, whose appraisal the task counts in.
    public var managerId: String
    /// Why, for whoever reviews the task later.
    public var reason: String?

    /// Hands task `taskId` to `managerId`.
    public init(taskId: String, managerId: String, reason: String? = nil) {
        self.taskId = taskId
        self.managerId = managerId
        self.reason = reason
    }

    public var targetId: String { taskId }

    public func decide(_ state: WorkTask, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        let previous = try state.requireOpen(taskId).managerId
        let manager = try Validate.id(managerId, "managerId")
        guard previous != manager else { return [] }
        return [WorkTaskReassigned(taskId: taskId, managerId: manager, previousManagerId: previous,
                                   reason: try Validate.optionalText(reason, "reason", max: 500), occurredAt: context.now)]
    }
}

/// Closes an open task as done, with a note on how it went.
public struct CompleteWorkTask: DomainCommand {
    public typealias Target = WorkTask
    public static let commandType = "CompleteWorkTask"
    /// Names the stream `task-<id>`; chosen by the caller so retries and imports are idempotent.
    public var taskId: String
    /// How it went: what evaluation of the task reads.
    public var outcome: String

    /// Completes task `taskId` with an outcome note.
    public init(taskId: String, outcome: String) {
        self.taskId = taskId
        self.outcome = outcome
    }

    public var targetId: String { taskId }

    public func decide(_ state: WorkTask, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        let assignment = try state.requireOpen(taskId)
        return [WorkTaskCompleted(taskId: taskId, managerId: assignment.managerId, outcome: try Validate.text(outcome, "outcome", max: 2000),
                                  occurredAt: context.now)]
    }
}

/// Flags an open task whose due time has passed (by business time), once; the flag counts against
/// the holder in appraisal.
public struct MarkWorkTaskOverdue: DomainCommand {
    public typealias Target = WorkTask
    public static let commandType = "MarkWorkTaskOverdue"
    /// Names the stream `task-<id>`; chosen by the caller so retries and imports are idempotent.
    public var taskId: String

    /// Marks task `taskId` overdue.
    public init(taskId: String) {
        self.taskId = taskId
    }

    public var targetId: String { taskId }

    public func decide(_ state: WorkTask, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        let assignment = try state.requireOpen(taskId)
        guard !state.isOverdue else { throw .ruleViolated(rule: "task-already-overdue", detail: "task \(taskId) is already marked overdue") }
        guard context.now > assignment.dueAt else {
            throw .ruleViolated(rule: "task-not-yet-due", detail: "task \(taskId) is due at \(Timestamp.format(assignment.dueAt))")
        }
        return [WorkTaskMarkedOverdue(taskId: taskId, managerId: assignment.managerId, dueAt: assignment.dueAt, occurredAt: context.now)]
    }
}

/// Calls off an open task, with the reason.
public struct CancelWorkTask: DomainCommand {
    public typealias Target = WorkTask
    public static let commandType = "CancelWorkTask"
    /// Names the stream `task-<id>`; chosen by the caller so retries and imports are idempotent.
    public var taskId: String
    /// Why, for whoever reviews the task later.
    public var reason: String

    /// Cancels task `taskId` for `reason`.
    public init(taskId: String, reason: String) {
        self.taskId = taskId
        self.reason = reason
    }

    public var targetId: String { taskId }

    public func decide(_ state: WorkTask, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        try state.requireOpen(taskId)
        return [WorkTaskCancelled(taskId: taskId, reason: try Validate.text(reason, "reason", max: 500), occurredAt: context.now)]
    }
}
