import Foundation

// Managers' tasks: follow-ups, renewal calls, key-account visits, arrears. Most are done in time,
// some late (and flagged overdue by the nightly job first), a few never (cancelled weeks later).
extension SimulationRun {
    /// Assigns a task about the customer to its manager; returns the task, or nil when the
    /// customer has no manager or cannot take commands.
    @discardableResult
    func assignTask(_ c: Int, _ kind: WorkTaskKind, title: String? = nil) throws -> Int? {
        let customer = customers[c]
        guard customer.isCommandable, customer.isActive || kind == .arrearsCollection, let m = customer.manager else { return nil }
        let who = customer.identity.organisation ?? customer.identity.name
        let (defaultTitle, dueDays, byRule): (String, Int64, Bool) = switch kind {
        case .followUp: ("Call back about the complaint of \(who)", 5, true)
        case .call: ("Prepare renewal with \(who)", 14, true)
        case .visit: ("Quarterly visit at \(who)", 30, false)
        case .email: ("Send onboarding information to \(who)", 3, false)
        case .arrearsCollection: ("Collect arrears of \(who)", 14, true)
        case .retention: ("Retention call with \(who)", 14, false)
        }
        let due = Clock.startOfDay(now) + (dueDays + 1) * Clock.day - 1
        let task = SimTask(id: nextId("T-"), manager: m, customer: c, dueAt: due, kind: kind)
        try emit(AssignWorkTask(taskId: task.id, managerId: staff.managers[m].id, customerId: customer.id, title: title ?? defaultTitle,
                                kind: kind, dueAt: Clock.date(due)), by: byRule ? .system(.scheduler) : .manager(m))
        tasks.append(task)
        let t = tasks.count - 1
        customer.tasks.append(t)
        managerTasks[m].append(t)
        schedule(nightlyJob(after: due), .taskOverdueCheck(t))
        guard kind != .arrearsCollection else { return t }  // done when the money arrives
        let r = random.unit()
        if r < 0.76 {
            var done = office(now + Int64(Double(due - now) * random.double(0.1...0.9)))
            if done >= due { done = max(now + minutes(30), Clock.lastOfficeMoment(before: due, &random)) }
            schedule(done, .completeTask(t))
        } else if r < 0.93 {
            schedule(office(due + days(4, spread: 0.7)), .completeTask(t))
        } else {
            schedule(office(due + days(25, spread: 0.3)), .cancelTask(t))
        }
        return t
    }

    func reassignTask(_ t: Int, to m: Int, reason: String, by issuer: SimulationIssuer) throws {
        guard let task = tasks[t], task.status == .open, task.manager != m else { return }
        try emit(ReassignWorkTask(taskId: task.id, managerId: staff.managers[m].id, reason: reason), by: issuer)
        managerTasks[task.manager].removeAll { $0 == t }
        task.manager = m
        managerTasks[m].append(t)
    }

    func completeTask(_ t: Int) throws {
        guard let task = tasks[t], task.status == .open else { return }
        let outcome: String = switch task.kind {
        case .followUp: random.pick(["Customer satisfied with the solution", "Explained next steps", "Customer reached, no further action"])
        case .call: random.pick(["Renewal terms discussed", "Customer wants an offer", "Decision expected next month"])
        case .visit: random.pick(["Visit held, new requirements noted", "Quarterly review done", "Met the new IT lead"])
        case .email: "Onboarding pack and training dates sent"
        case .arrearsCollection: "Invoice paid after reminder"
        case .retention: random.pick(["Customer stays for now", "Offered a discount on renewal"])
        }
        try emit(CompleteWorkTask(taskId: task.id, outcome: outcome), by: .manager(task.manager, mobile: task.kind == .visit))
        task.status = .completed
        finish(t, task)
        if task.kind == .visit || random.chance(0.4) {
            let activity: WorkActivityKind = switch task.kind {
            case .call: .call
            case .visit: .visit
            case .email: .email
            case .followUp: .followUp
            case .arrearsCollection: .arrearsCollection
            case .retention: .retention
            }
            try logWork(task.manager, customer: task.customer, activity: activity, minutes: task.kind == .visit ? 120 : 20 + random.int(0...4) * 10,
                        note: "Task \(task.id): \(outcome)", mobile: task.kind == .visit)
        }
    }

    func taskOverdueCheck(_ t: Int) throws {
        guard let task = tasks[t], task.status == .open, !task.isOverdue, now > task.dueAt else { return }
        try emit(MarkWorkTaskOverdue(taskId: task.id), by: .system(.scheduler))
        task.isOverdue = true
    }

    func cancelTask(_ t: Int, reason: String) throws {
        guard let task = tasks[t], task.status == .open else { return }
        try emit(CancelWorkTask(taskId: task.id, reason: reason), by: .manager(task.manager))
        task.status = .cancelled
        finish(t, task)
    }

    private func finish(_ t: Int, _ task: SimTask) {
        customers[task.customer].tasks.removeAll { $0 == t }
        managerTasks[task.manager].removeAll { $0 == t }
        tasks[t] = nil
    }
}
