import Domain
import Foundation

/// A customer manager's work task as the follow-up list keeps it.
public struct FollowUpTask: Sendable, Codable, Equatable {
    public var taskId: String
    public var managerId: String
    public var customerId: String
    public var title: String
    public var kind: WorkTaskKind
    public var dueAt: Date
    public var status: WorkTask.Status
    /// `WorkTaskMarkedOverdue` was recorded (it stays even when the due date is later moved).
    public var markedOverdue: Bool

    /// Overdue at `now`: marked so, or its due time has passed.
    public func isOverdue(at now: Date) -> Bool { markedOverdue || dueAt < now }
}
