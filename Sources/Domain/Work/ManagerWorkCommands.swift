import Foundation

/// Records a manager's plan for a period: how many visits and calls, how many customers to reach.
public struct PlanWork: DomainCommand {
    public typealias Target = ManagerWork
    public static let commandType = "PlanWork"
    /// Names the stream `manager-<id>`; any valid id starts a manager's record.
    public var managerId: String
    /// Chosen by the caller, e.g. `2026-W02`, so the plan can be revised later.
    public var planId: String
    /// First moment the plan covers.
    public var periodStart: Date
    /// Must not be before `periodStart`.
    public var periodEnd: Date
    /// The counts and notes the work log is later measured against.
    public var targets: WorkPlanTargets

    /// Plans period `periodStart`…`periodEnd` for `managerId` as plan `planId`.
    public init(managerId: String, planId: String, periodStart: Date, periodEnd: Date, targets: WorkPlanTargets) {
        self.managerId = managerId
        self.planId = planId
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.targets = targets
    }

    public var targetId: String { managerId }

    public func decide(_ state: ManagerWork, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        let manager = try Validate.id(managerId, "managerId")
        let plan = try Validate.id(planId, "planId")
        guard state.plans[plan] == nil else { throw .alreadyExists(kind: "work-plan", id: plan) }
        let start = try Validate.date(periodStart, "periodStart")
        let end = try Validate.date(periodEnd, "periodEnd")
        guard end >= start else { throw .invalid(field: "periodEnd", reason: "must not be before periodStart") }
        return [WorkPlanned(managerId: manager, planId: plan, periodStart: start, periodEnd: end, targets: try targets.validated(),
                            occurredAt: context.now)]
    }
}

/// Changes the counts or notes of an existing plan; the same targets again change nothing.
public struct ReviseWorkPlan: DomainCommand {
    public typealias Target = ManagerWork
    public static let commandType = "ReviseWorkPlan"
    /// Names the stream `manager-<id>`; any valid id starts a manager's record.
    public var managerId: String
    /// Chosen by the caller, e.g. `2026-W02`, so the plan can be revised later.
    public var planId: String
    /// The counts and notes the work log is later measured against.
    public var targets: WorkPlanTargets

    /// Sets new targets for plan `planId` of `managerId`.
    public init(managerId: String, planId: String, targets: WorkPlanTargets) {
        self.managerId = managerId
        self.planId = planId
        self.targets = targets
    }

    public var targetId: String { managerId }

    public func decide(_ state: ManagerWork, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        let manager = try Validate.id(managerId, "managerId")
        guard state.id != nil else { throw .notFound(kind: "manager", id: manager) }
        guard let previous = state.plans[planId] else { throw .notFound(kind: "work-plan", id: planId) }
        let targets = try targets.validated()
        guard targets != previous else { return [] }
        return [WorkPlanRevised(managerId: manager, planId: planId, targets: targets, previous: previous, occurredAt: context.now)]
    }
}

/// Adds an entry to a manager's work log. A customer, when named, must exist and not be merged,
/// so time is booked on the customer that analytics see.
public struct LogWork: DomainCommand {
    public typealias Target = ManagerWork
    public static let commandType = "LogWork"
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
    /// 1…1440.
    public var minutes: Int
    /// What was done, in the manager's words.
    public var note: String

    /// Logs `minutes` of `activity` by `managerId` as entry `entryId`.
    public init(managerId: String, entryId: String, date: Date, customerId: String? = nil, activity: WorkActivityKind,
                minutes: Int, note: String) {
        self.managerId = managerId
        self.entryId = entryId
        self.date = date
        self.customerId = customerId
        self.activity = activity
        self.minutes = minutes
        self.note = note
    }

    public var targetId: String { managerId }
    public var references: [RecordReference] { customerId.map { [.record(Customer.self, $0)] } ?? [] }

    public func decide(_ state: ManagerWork, _ context: DecisionContext) throws(DomainError) -> [any DomainEvent] {
        let manager = try Validate.id(managerId, "managerId")
        let entry = try Validate.id(entryId, "entryId")
        guard !state.entryIds.contains(entry) else { throw .alreadyExists(kind: "work-log-entry", id: entry) }
        let date = try Validate.date(date, "date")
        guard date <= context.now else {
            throw .ruleViolated(rule: "work-log-in-future", detail: "entry \(entry) is dated \(Timestamp.format(date)), after now")
        }
        guard (1...1440).contains(minutes) else { throw .invalid(field: "minutes", reason: "must be between 1 and 1440") }
        if let customerId {
            let id = try Validate.id(customerId, "customerId")
            try (context.record(Customer.self, id) ?? Customer()).requireCommandable(id)
        }
        return [WorkLogged(managerId: manager, entryId: entry, date: date, customerId: customerId, activity: activity,
                           minutes: minutes, note: try Validate.text(note, "note", max: 2000), occurredAt: context.now)]
    }
}
