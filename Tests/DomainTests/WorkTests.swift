import Domain
import EventStore
import Foundation
import Testing

/// Runs `command`, expects exactly `error`, and checks that nothing was written.
private func expectRefused<C: DomainCommand>(_ f: DomainFixture, _ command: C, _ error: DomainError,
                                             sourceLocation: SourceLocation = #_sourceLocation) async {
    let head = f.head
    await #expect(throws: error, sourceLocation: sourceLocation) { try await f.run(command) }
    #expect(f.head == head, sourceLocation: sourceLocation)
}

private func decode(_ f: DomainFixture, _ stream: String) throws -> [any DomainEvent] {
    try f.store.readStream(stream).map { try f.handler.registry.decode($0) }
}

private let day: TimeInterval = 86_400

@Suite("Customer-manager tasks")
struct WorkTaskTests {
    /// Customer c1 and task t1 (a call for manager m1, due in two days).
    func assigned(_ f: DomainFixture) async throws {
        try await f.register("c1")
        try await f.run(AssignWorkTask(taskId: "t1", managerId: "m1", customerId: "c1", title: "Call about renewal", kind: .call,
                                       dueAt: f.now.addingTimeInterval(2 * day)))
    }

    // MARK: Happy paths

    @Test("assigning records manager, customer, title, kind and due time")
    func assign() async throws {
        let f = try DomainFixture()
        try await f.register("c1")
        try await f.run(AssignWorkTask(taskId: "t1", managerId: "m1", customerId: "c1", title: " Collect March invoice ",
                                       kind: .arrearsCollection, dueAt: f.now.addingTimeInterval(day)))
        #expect(try f.types(of: "task-t1") == ["WorkTaskAssigned"])
        let event = try #require(try decode(f, "task-t1").first as? WorkTaskAssigned)
        #expect(event.managerId == "m1")
        #expect(event.customerId == "c1")
        #expect(event.title == "Collect March invoice")
        #expect(event.kind == .arrearsCollection)
        #expect(event.dueAt == f.now.addingTimeInterval(day))
        #expect(event.occurredAt == f.now)
    }

    @Test("reassigning records the new and previous manager; to the same manager it changes nothing")
    func reassign() async throws {
        let f = try DomainFixture()
        try await assigned(f)
        try await f.run(ReassignWorkTask(taskId: "t1", managerId: "m2", reason: "m1 on leave"))
        let event = try #require(try decode(f, "task-t1").last as? WorkTaskReassigned)
        #expect(event.managerId == "m2")
        #expect(event.previousManagerId == "m1")
        #expect(event.reason == "m1 on leave")
        let head = f.head
        let outcome = try await f.run(ReassignWorkTask(taskId: "t1", managerId: "m2"))
        #expect(outcome.eventTypes.isEmpty)
        #expect(f.head == head)
    }

    @Test("completing records the outcome and credits the manager holding the task")
    func complete() async throws {
        let f = try DomainFixture()
        try await assigned(f)
        try await f.run(ReassignWorkTask(taskId: "t1", managerId: "m2"))
        try await f.run(CompleteWorkTask(taskId: "t1", outcome: "Renewal agreed for 12 months"))
        let event = try #require(try decode(f, "task-t1").last as? WorkTaskCompleted)
        #expect(event.managerId == "m2")
        #expect(event.outcome == "Renewal agreed for 12 months")
        #expect(try f.types(of: "task-t1") == ["WorkTaskAssigned", "WorkTaskReassigned", "WorkTaskCompleted"])
    }

    @Test("an open task past its due time is marked overdue, and can still be completed")
    func markOverdue() async throws {
        let f = try DomainFixture()
        try await assigned(f)
        let due = f.now.addingTimeInterval(2 * day)
        f.now = due.addingTimeInterval(1)
        try await f.run(MarkWorkTaskOverdue(taskId: "t1"))
        let event = try #require(try decode(f, "task-t1").last as? WorkTaskMarkedOverdue)
        #expect(event.managerId == "m1")
        #expect(event.dueAt == due)
        #expect(event.occurredAt == f.now)
        try await f.run(CompleteWorkTask(taskId: "t1", outcome: "Called late"))
        #expect(try f.types(of: "task-t1").last == "WorkTaskCompleted")
    }

    @Test("cancelling records the reason")
    func cancel() async throws {
        let f = try DomainFixture()
        try await assigned(f)
        try await f.run(CancelWorkTask(taskId: "t1", reason: "Customer renewed online"))
        let event = try #require(try decode(f, "task-t1").last as? WorkTaskCancelled)
        #expect(event.reason == "Customer renewed online")
    }

    // MARK: Invariants

    @Test("completing a completed task is refused")
    func completeCompleted() async throws {
        let f = try DomainFixture()
        try await assigned(f)
        try await f.run(CompleteWorkTask(taskId: "t1", outcome: "Done"))
        await expectRefused(f, CompleteWorkTask(taskId: "t1", outcome: "Done again"),
                            .ruleViolated(rule: "task-already-completed", detail: "task t1 is already completed"))
    }

    @Test("completing a cancelled task is refused")
    func completeCancelled() async throws {
        let f = try DomainFixture()
        try await assigned(f)
        try await f.run(CancelWorkTask(taskId: "t1", reason: "Not needed"))
        await expectRefused(f, CompleteWorkTask(taskId: "t1", outcome: "Done anyway"),
                            .ruleViolated(rule: "task-cancelled", detail: "task t1 was cancelled"))
    }

    @Test("reassigning, cancelling or marking overdue a closed task is refused")
    func closedTaskIsFinal() async throws {
        let f = try DomainFixture()
        try await assigned(f)
        try await f.run(CompleteWorkTask(taskId: "t1", outcome: "Done"))
        f.now = f.now.addingTimeInterval(3 * day)
        let completed = DomainError.ruleViolated(rule: "task-already-completed", detail: "task t1 is already completed")
        await expectRefused(f, ReassignWorkTask(taskId: "t1", managerId: "m2"), completed)
        await expectRefused(f, CancelWorkTask(taskId: "t1", reason: "Too late"), completed)
        await expectRefused(f, MarkWorkTaskOverdue(taskId: "t1"), completed)
    }

    @Test("marking overdue before or at the due time is refused")
    func overdueBeforeDue() async throws {
        let f = try DomainFixture()
        try await assigned(f)
        let due = f.now.addingTimeInterval(2 * day)
        let notYet = DomainError.ruleViolated(rule: "task-not-yet-due", detail: "task t1 is due at \(Timestamp.format(due))")
        await expectRefused(f, MarkWorkTaskOverdue(taskId: "t1"), notYet)
        f.now = due
        await expectRefused(f, MarkWorkTaskOverdue(taskId: "t1"), notYet)
    }

    @Test("a task is marked overdue once")
    func overdueOnce() async throws {
        let f = try DomainFixture()
        try await assigned(f)
        f.now = f.now.addingTimeInterval(3 * day)
        try await f.run(MarkWorkTaskOverdue(taskId: "t1"))
        await expectRefused(f, MarkWorkTaskOverdue(taskId: "t1"),
                            .ruleViolated(rule: "task-already-overdue", detail: "task t1 is already marked overdue"))
    }

    @Test("commands on an unknown task are not found")
    func unknownTask() async throws {
        let f = try DomainFixture()
        try await assigned(f)
        let missing = DomainError.notFound(kind: "task", id: "t9")
        await expectRefused(f, ReassignWorkTask(taskId: "t9", managerId: "m2"), missing)
        await expectRefused(f, CompleteWorkTask(taskId: "t9", outcome: "Done"), missing)
        await expectRefused(f, MarkWorkTaskOverdue(taskId: "t9"), missing)
        await expectRefused(f, CancelWorkTask(taskId: "t9", reason: "No"), missing)
    }

    @Test("assigning an existing task id is refused")
    func assignTwice() async throws {
        let f = try DomainFixture()
        try await assigned(f)
        await expectRefused(f, AssignWorkTask(taskId: "t1", managerId: "m2", customerId: "c1", title: "Again", kind: .visit, dueAt: f.now),
                            .alreadyExists(kind: "task", id: "t1"))
    }

    @Test("a task for a customer that does not exist is refused")
    func assignUnknownCustomer() async throws {
        let f = try DomainFixture()
        try await assigned(f)
        await expectRefused(f, AssignWorkTask(taskId: "t2", managerId: "m1", customerId: "ghost", title: "Visit", kind: .visit, dueAt: f.now),
                            .notFound(kind: "customer", id: "ghost"))
    }

    @Test("a task for a merged customer is refused naming the survivor")
    func assignMergedCustomer() async throws {
        let f = try DomainFixture()
        try await assigned(f)
        try await f.register("c2")
        try await f.customers.merge(MergeCustomers(survivorId: "c1", absorbedId: "c2", reason: "same person"), context: f.context, metadata: f.metadata)
        await expectRefused(f, AssignWorkTask(taskId: "t2", managerId: "m1", customerId: "c2", title: "Retain", kind: .retention, dueAt: f.now),
                            .customerMerged(absorbed: "c2", survivor: "c1"))
    }

    @Test("a task for a malformed manager id is refused")
    func assignBadManager() async throws {
        let f = try DomainFixture()
        try await assigned(f)
        await expectRefused(f, AssignWorkTask(taskId: "t2", managerId: "m 1", customerId: "c1", title: "Visit", kind: .visit, dueAt: f.now),
                            .invalid(field: "managerId", reason: "'m 1' is not a valid id (letters, digits, '-', '_', '.')"))
    }
}

@Suite("Customer-manager work plans and logs")
struct ManagerWorkTests {
    let week = WorkPlanTargets(visits: 8, calls: 40, customers: 25, notes: "Focus on key accounts in the north")

    func planWeek(_ f: DomainFixture, _ planId: String = "2026-W01") async throws {
        try await f.run(PlanWork(managerId: "m1", planId: planId, periodStart: f.now, periodEnd: f.now.addingTimeInterval(6 * day), targets: week))
    }

    // MARK: Happy paths

    @Test("a plan records its period and counts")
    func plan() async throws {
        let f = try DomainFixture()
        try await planWeek(f)
        #expect(try f.types(of: "manager-m1") == ["WorkPlanned"])
        let event = try #require(try decode(f, "manager-m1").first as? WorkPlanned)
        #expect(event.managerId == "m1")
        #expect(event.planId == "2026-W01")
        #expect(event.periodStart == f.now)
        #expect(event.periodEnd == f.now.addingTimeInterval(6 * day))
        #expect(event.targets == week)
    }

    @Test("revising a plan records new and previous targets; the same targets change nothing")
    func revise() async throws {
        let f = try DomainFixture()
        try await planWeek(f)
        let revised = WorkPlanTargets(visits: 10, calls: 30, customers: 25)
        try await f.run(ReviseWorkPlan(managerId: "m1", planId: "2026-W01", targets: revised))
        let event = try #require(try decode(f, "manager-m1").last as? WorkPlanRevised)
        #expect(event.targets == revised)
        #expect(event.previous == week)
        let head = f.head
        #expect(try await f.run(ReviseWorkPlan(managerId: "m1", planId: "2026-W01", targets: revised)).eventTypes.isEmpty)
        #expect(f.head == head)
    }

    @Test("a work-log entry records date, customer, activity, minutes and note; 1 and 1440 minutes are accepted")
    func log() async throws {
        let f = try DomainFixture()
        try await f.register("c1")
        f.now = f.now.addingTimeInterval(day)
        try await f.run(LogWork(managerId: "m1", entryId: "e1", date: f.now.addingTimeInterval(-day), customerId: "c1", activity: .visit,
                                minutes: 1440, note: "On-site workshop"))
        try await f.run(LogWork(managerId: "m1", entryId: "e2", date: f.now, activity: .administration, minutes: 1, note: "Weekly report"))
        #expect(try f.types(of: "manager-m1") == ["WorkLogged", "WorkLogged"])
        let events = try decode(f, "manager-m1").compactMap { $0 as? WorkLogged }
        #expect(events.map(\.entryId) == ["e1", "e2"])
        #expect(events[0].customerId == "c1")
        #expect(events[0].date == f.now.addingTimeInterval(-day))
        #expect(events[0].activity == .visit)
        #expect(events[0].minutes == 1440)
        #expect(events[0].note == "On-site workshop")
        #expect(events[1].customerId == nil)
        #expect(events[1].minutes == 1)
    }

    // MARK: Invariants

    @Test("minutes outside 1…1440 are refused", arguments: [0, -5, 1441])
    func minutesRange(minutes: Int) async throws {
        let f = try DomainFixture()
        try await planWeek(f)
        await expectRefused(f, LogWork(managerId: "m1", entryId: "e1", date: f.now, activity: .call, minutes: minutes, note: "Call"),
                            .invalid(field: "minutes", reason: "must be between 1 and 1440"))
    }

    @Test("a plan period must not end before it starts")
    func planPeriod() async throws {
        let f = try DomainFixture()
        try await planWeek(f)
        await expectRefused(f, PlanWork(managerId: "m1", planId: "2026-W02", periodStart: f.now, periodEnd: f.now.addingTimeInterval(-day), targets: week),
                            .invalid(field: "periodEnd", reason: "must not be before periodStart"))
    }

    @Test("plan counts must not be negative")
    func planCounts() async throws {
        let f = try DomainFixture()
        try await planWeek(f)
        await expectRefused(f, PlanWork(managerId: "m1", planId: "2026-W02", periodStart: f.now, periodEnd: f.now,
                                        targets: WorkPlanTargets(visits: 1, calls: -1, customers: 0)),
                            .invalid(field: "calls", reason: "must be between 0 and 10000"))
        await expectRefused(f, ReviseWorkPlan(managerId: "m1", planId: "2026-W01", targets: WorkPlanTargets(visits: -3, calls: 0, customers: 0)),
                            .invalid(field: "visits", reason: "must be between 0 and 10000"))
    }

    @Test("a malformed manager id is refused")
    func badManagerId() async throws {
        let f = try DomainFixture()
        try await planWeek(f)
        let invalid = DomainError.invalid(field: "managerId", reason: "'m/1' is not a valid id (letters, digits, '-', '_', '.')")
        await expectRefused(f, PlanWork(managerId: "m/1", planId: "w", periodStart: f.now, periodEnd: f.now, targets: week), invalid)
        await expectRefused(f, LogWork(managerId: "m/1", entryId: "e1", date: f.now, activity: .call, minutes: 5, note: "Call"), invalid)
    }

    @Test("planning an existing plan id, or logging an existing entry id, is refused")
    func duplicates() async throws {
        let f = try DomainFixture()
        try await planWeek(f)
        try await f.run(LogWork(managerId: "m1", entryId: "e1", date: f.now, activity: .email, minutes: 10, note: "Offer sent"))
        await expectRefused(f, PlanWork(managerId: "m1", planId: "2026-W01", periodStart: f.now, periodEnd: f.now, targets: week),
                            .alreadyExists(kind: "work-plan", id: "2026-W01"))
        await expectRefused(f, LogWork(managerId: "m1", entryId: "e1", date: f.now, activity: .email, minutes: 10, note: "Offer sent"),
                            .alreadyExists(kind: "work-log-entry", id: "e1"))
    }

    @Test("revising a plan of an unknown manager, or an unknown plan, is not found")
    func unknownPlan() async throws {
        let f = try DomainFixture()
        try await planWeek(f)
        await expectRefused(f, ReviseWorkPlan(managerId: "m9", planId: "2026-W01", targets: week), .notFound(kind: "manager", id: "m9"))
        await expectRefused(f, ReviseWorkPlan(managerId: "m1", planId: "2026-W09", targets: week), .notFound(kind: "work-plan", id: "2026-W09"))
    }

    @Test("work logged after the current business time is refused")
    func logInFuture() async throws {
        let f = try DomainFixture()
        try await planWeek(f)
        let later = f.now.addingTimeInterval(60)
        await expectRefused(f, LogWork(managerId: "m1", entryId: "e1", date: later, activity: .visit, minutes: 60, note: "Visit"),
                            .ruleViolated(rule: "work-log-in-future", detail: "entry e1 is dated \(Timestamp.format(later)), after now"))
    }

    @Test("work logged on a customer that does not exist, or was merged, is refused")
    func logCustomer() async throws {
        let f = try DomainFixture()
        try await f.register("c1")
        try await f.register("c2")
        try await f.customers.merge(MergeCustomers(survivorId: "c1", absorbedId: "c2", reason: "same person"), context: f.context, metadata: f.metadata)
        await expectRefused(f, LogWork(managerId: "m1", entryId: "e1", date: f.now, customerId: "ghost", activity: .call, minutes: 5, note: "Call"),
                            .notFound(kind: "customer", id: "ghost"))
        await expectRefused(f, LogWork(managerId: "m1", entryId: "e1", date: f.now, customerId: "c2", activity: .call, minutes: 5, note: "Call"),
                            .customerMerged(absorbed: "c2", survivor: "c1"))
    }
}
