import Foundation

/// What a customer manager spent time on; the closed list lets workload and appraisal reports
/// add up like with like.
public enum WorkActivityKind: String, Sendable, Codable, CaseIterable {
    case call, visit, email, meeting, followUp
    /// Collecting arrears from a customer.
    case arrearsCollection
    /// Keeping a customer who shows signs of leaving.
    case retention
    case complaintHandling
    /// Internal work: reports, planning, training, travel.
    case administration
}

/// What a manager means to do in a period, as counts appraisal later compares with the work log.
public struct WorkPlanTargets: Sendable, Codable, Equatable {
    /// Customer visits planned.
    public var visits: Int
    /// Customer calls planned.
    public var calls: Int
    /// Distinct customers the manager aims to reach (new or retained).
    public var customers: Int
    /// Free-form intentions: accounts to focus on, events to attend.
    public var notes: String?

    /// The plan's counts; each must be between 0 and `WorkPlanTargets.maximum`.
    public init(visits: Int, calls: Int, customers: Int, notes: String? = nil) {
        self.visits = visits
        self.calls = calls
        self.customers = customers
        self.notes = notes
    }

    /// The highest count a plan may hold: far above any real period, low enough to catch typos.
    public static let maximum = 10_000
}

/// A manager drew up a work plan for a period (typically a week).
public struct WorkPlanned: DomainEvent {
    public static let eventType = "WorkPlanned"
    /// Names the stream `manager-<id>`; any valid id starts a manager's record.
    public var managerId: String
    /// Chosen by the caller, e.g. `2026-W02`, so the plan can be revised later.
    public var planId: String
    /// First moment the plan covers.
    public var periodStart: Date
    /// Last moment the plan covers; never before `periodStart`.
    public var periodEnd: Date
    /// The counts and notes the work log is later measured against.
    public var targets: WorkPlanTargets
    public var occurredAt: Date
}

/// A plan's counts or notes changed; the earlier targets are kept so tracking sees the revision.
public struct WorkPlanRevised: DomainEvent {
    public static let eventType = "WorkPlanRevised"
    /// Names the stream `manager-<id>`; any valid id starts a manager's record.
    public var managerId: String
    /// Chosen by the caller, e.g. `2026-W02`, so the plan can be revised later.
    public var planId: String
    /// The counts and notes the work log is later measured against.
    public var targets: WorkPlanTargets
    /// The targets before the revision, so tracking sees what changed.
    public var previous: WorkPlanTargets
    public var occurredAt: Date
}

/// One entry of a manager's work log: time spent on an activity, for a customer or not.
public struct WorkLogged: DomainEvent {
    public static let eventType = "WorkLogged"
    /// Names the stream `manager-<id>`; any valid id starts a manager's record.
    public var managerId: String
    /// Chosen by the caller, so a repeated entry is recognised rather than counted twice.
    public var entryId: String
    /// The day (or moment) the work was done; never after the time it is logged.
    public var date: Date
    /// The customer the time was spent on, if any; must exist and not be merged.
    public var customerId: String?
    /// What the time went on, for workload by activity.
    public var activity: WorkActivityKind
    /// 1…1440: one day at most.
    public var minutes: Int
    /// What was done, in the manager's words.
    public var note: String
    public var occurredAt: Date
}
