import Foundation

/// Queries of the follow-up list; "due" and "overdue" are judged against the caller's `now`.
public enum FollowUps {
    /// A manager's open tasks, split at `now`.
    public struct ManagerList: Sendable, Codable, Equatable {
        public var managerId: String
        /// Overdue (marked, or due before `now`), earliest due first.
        public var overdue: [FollowUpTask]
        /// Not overdue and due before `now + horizon`, earliest first.
        public var due: [FollowUpTask]
        /// Open tasks due later than the horizon.
        public var later: Int
        public var position: UInt64
    }

    /// One manager's counts.
    public struct ManagerSummary: Sendable, Codable, Equatable {
        public var managerId: String
        public var open: Int
        public var overdue: Int
        public var due: Int
        public var oldestDueAt: Date?
    }

    /// The open tasks of `managerId`: a prefix scan of the manager's index.
    public static func forManager(_ reader: ReadModelReader, managerId: String, now: Date,
                                  horizon: Duration = .seconds(7 * 86_400)) throws -> ManagerList {
        let limit = now.addingTimeInterval(Double(horizon.components.seconds))
        var list = ManagerList(managerId: managerId, overdue: [], due: [], later: 0, position: reader.position)
        try reader.scan(FollowUpProjector.open, prefix: ReadModelKey.prefix(managerId)) { _, task in
            if task.isOverdue(at: now) { list.overdue.append(task) } else if task.dueAt < limit { list.due.append(task) } else { list.later += 1 }
            return true
        }
        return list
    }

    /// Counts for every manager with open tasks, by manager id.
    public static func summary(_ reader: ReadModelReader, now: Date, horizon: Duration = .seconds(7 * 86_400)) throws -> [ManagerSummary] {
        let limit = now.addingTimeInterval(Double(horizon.components.seconds))
        var byManager: [String: ManagerSummary] = [:]
        try reader.scan(FollowUpProjector.open) { _, task in
            var s = byManager[task.managerId] ?? ManagerSummary(managerId: task.managerId, open: 0, overdue: 0, due: 0, oldestDueAt: nil)
            s.open += 1
            if task.isOverdue(at: now) { s.overdue += 1 } else if task.dueAt < limit { s.due += 1 }
            if s.oldestDueAt.map({ task.dueAt < $0 }) ?? true { s.oldestDueAt = task.dueAt }
            byManager[task.managerId] = s
            return true
        }
        return byManager.keys.sorted().map { byManager[$0]! }
    }
}
