import Domain
import Foundation

/// Due and overdue follow-ups per customer manager: open work tasks indexed by manager and due
/// time. Completed and cancelled tasks leave the index; a reassignment moves the task to the new
/// manager. Overdue is judged at query time (`now`) or from `WorkTaskMarkedOverdue`.
///
/// Erasure (`SubjectErased`): the titles of an erased customer's tasks read `erased`.
public struct FollowUpProjector: Projector {
    static let tasks = ReadModelTable<FollowUpTask>("tasks")
    /// `manager id \0 due at \0 task id` → task (open tasks only).
    static let open = ReadModelTable<FollowUpTask>("open")
    /// Customer id → the ids of the tasks about it, sorted (finds them on erasure).
    static let customerTasks = ReadModelTable<[String]>("customerTasks")

    public var name: String
    /// 2: erasures (`SubjectErased`), and the tasks about each customer (`customerTasks`).
    public var version: Int { 2 }

    public init(name: String = "followUps") { self.name = name }

    public var tables: [String] { [Self.tasks.name, Self.open.name, Self.customerTasks.name] }

    public var eventTypes: Set<String>? {
        let types: [any DomainEvent.Type] = [
            WorkTaskAssigned.self, WorkTaskReassigned.self, WorkTaskCompleted.self, WorkTaskMarkedOverdue.self, WorkTaskCancelled.self,
            SubjectErased.self,
        ]
        return Set(types.map { $0.eventType })
    }

    public func apply(_ event: ProjectedEvent, to batch: inout ReadModelBatch) throws {
        switch event.payload {
        case let e as WorkTaskAssigned:
            let task = FollowUpTask(taskId: e.taskId, managerId: e.managerId, customerId: e.customerId, title: e.title, kind: e.kind,
                                    dueAt: e.dueAt, status: .open, markedOverdue: false)
            try replace(try batch.get(Self.tasks, e.taskId), with: task, &batch)
            try batch.update(Self.customerTasks, e.customerId, default: []) { CustomerRecord.insert(e.taskId, into: &$0) }
        case let e as WorkTaskReassigned:
            try change(e.taskId, &batch) { $0.managerId = e.managerId }
        case let e as WorkTaskCompleted:
            try change(e.taskId, &batch) { $0.status = .completed }
        case let e as WorkTaskMarkedOverdue:
            try change(e.taskId, &batch) { $0.markedOverdue = true }
        case let e as WorkTaskCancelled:
            try change(e.taskId, &batch) { $0.status = .cancelled }
        case let e as SubjectErased:
            for customerId in ErasedSubjects(e).customers.sorted() {
                for taskId in try batch.get(Self.customerTasks, customerId) ?? [] {
                    try change(taskId, &batch) { $0.title = ErasedSubjects.marker }
                }
            }
        default:
            break
        }
    }

    func change(_ id: String, _ batch: inout ReadModelBatch, _ body: (inout FollowUpTask) -> Void) throws {
        guard let old = try batch.get(Self.tasks, id) else { return }
        var new = old
        body(&new)
        guard new != old else { return }
        try replace(old, with: new, &batch)
    }

    func replace(_ old: FollowUpTask?, with new: FollowUpTask, _ batch: inout ReadModelBatch) throws {
        try batch.put(Self.tasks, new.taskId, new)
        let oldKey = old.flatMap { $0.status == .open ? Self.key($0) : nil }
        let newKey = new.status == .open ? Self.key(new) : nil
        if let oldKey, oldKey != newKey { try batch.delete(Self.open, oldKey) }
        if let newKey { try batch.put(Self.open, newKey, new) }
    }

    static func key(_ t: FollowUpTask) -> String {
        ReadModelKey.join(t.managerId, ReadModelKey.sortable(OperationalTime.milliseconds(t.dueAt)), t.taskId)
    }
}
