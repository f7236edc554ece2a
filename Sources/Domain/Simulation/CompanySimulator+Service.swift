import Foundation

// Service: cases arrive on every channel with a realistic priority mix and some complaints; the
// desk assigns, answers (sometimes after the first-response target), escalates, waits for the
// customer, resolves (sometimes after the resolution target), closes; some cases are reopened;
// closed cases are surveyed and some surveys answered.
extension SimulationRun {
    static let caseSubjects: [CaseCategory: [String]] = [
        .question: ["How do I add users?", "Question about licence terms", "Where can I find the admin guide?"],
        .technical: ["Login fails after update", "Sync error on mobile app", "Mail archive not loading", "Single sign-on stopped working"],
        .billing: ["Invoice amount unclear", "Wrong billing address on invoice", "Request for credit note"],
        .delivery: ["Delivery delayed", "Parcel damaged on arrival", "Wrong item delivered"],
        .returns: ["Return of unused hardware", "Laptop defective, request exchange"],
        .fieldService: ["On-site installation needed", "Network setup at new office"],
        .product: ["Feature request: export to spreadsheet", "Performance of reports is poor"],
        .account: ["Change of contact person", "Close user accounts of leavers"],
        .other: ["General feedback", "Complaint about hotline waiting time"],
    ]

    func openCase(_ c: Int) throws {
        let customer = customers[c]
        guard customer.isActive, customer.isCommandable else { return }
        let recentOrder = customer.lastPurchaseAt.map { now - $0 < 30 * Clock.day } ?? false
        let category = random.weighted([
            (CaseCategory.question, 0.22), (.technical, 0.3), (.billing, 0.1), (.delivery, recentOrder ? 0.12 : 0.02),
            (.returns, customer.segment == SimulationSegment.consumer ? 0.08 : 0.02), (.fieldService, customer.segment == SimulationSegment.keyAccount ? 0.06 : 0.01),
            (.product, 0.07), (.account, 0.06), (.other, 0.04),
        ])
        let priority = random.weighted([(CasePriority.urgent, customer.segment == SimulationSegment.keyAccount ? 0.1 : 0.04), (.high, 0.2), (.normal, 0.55), (.low, 0.21)])
        let recentComplaints = customer.complaints.filter { now - $0 < 180 * Clock.day }.count
        let isComplaint = random.chance(0.08 + 0.07 * Double(min(recentComplaints, 3)) + (category == .delivery || category == .billing ? 0.08 : 0))
        let inOffice = Clock.nextOfficeTime(now, &random) == now
        let channel = random.weighted([(InteractionChannel.call, 0.45), (.email, 0.25), (.webForm, 0.18), (.chat, 0.08), (.social, 0.02),
                                       (.meeting, customer.manager == nil || !inOffice ? 0 : 0.02)])
        let issuer: SimulationIssuer = switch channel {
        case .call: .system(.telephony)
        case .webForm: .system(.webForms)
        case .meeting: .manager(customer.manager ?? 0, mobile: true)
        default: .agent(random.int(0...(staff.agents.count - 1)))
        }
        let subject = random.pick(Self.caseSubjects[category] ?? ["Request"])
        let serviceCase = SimCase(id: nextId("CS-"), customer: c, priority: priority, isComplaint: isComplaint, channel: channel, openedAt: now)
        try emit(OpenCase(caseId: serviceCase.id, customerId: customer.id, channel: channel, category: category, priority: priority,
                          isComplaint: isComplaint, subject: isComplaint ? "Complaint: \(subject)" : subject,
                          description: "\(subject). Reported by \(customer.contacts.first?.name ?? customer.identity.name) via \(channel.rawValue)."),
                 by: issuer)
        cases.append(serviceCase)
        summary.cases += 1
        let k = cases.count - 1
        let level = DomainConfiguration.standard.serviceLevels[priority]!
        // Response and resolution times relative to the targets: most within, some beyond.
        let respondAfter = Int64(random.logNormal(median: Double(level.firstResponseMinutes) * 0.25, sigma: 0.9) * Double(Clock.minute))
        let resolveAfter = Int64(random.logNormal(median: Double(level.resolutionMinutes) * 0.28, sigma: 0.95) * Double(Clock.minute))
        serviceCase.respondAt = priority == .urgent ? now + respondAfter : service(now + respondAfter)
        serviceCase.resolveAt = max(serviceCase.respondAt + minutes(45), priority == .urgent ? now + resolveAfter : service(now + resolveAfter))
        schedule(min(serviceCase.respondAt, priority == .urgent ? now + minutes(5) : service(now + minutes(15, spread: 0.8))), .caseStep(k, .assign))
        if isComplaint {
            customer.complaints.append(now)
            if recentComplaints >= 1, customer.manager != nil { try tag(customer, "at-risk", by: .manager(customer.manager!)) }
            if customer.manager != nil { schedule(office(now + days(0.5)), .assignTask(c, .followUp)) }
        }
    }

    func caseStep(_ k: Int, _ step: SimulationStep.CaseStep) throws {
        guard let serviceCase = cases[k] else { return }
        let agent = serviceCase.agent ?? random.int(0...(staff.agents.count - 1))
        let by = SimulationIssuer.agent(agent)
        let customer = customers[serviceCase.customer]
        switch step {
        case .assign:
            guard serviceCase.status != .closed else { return }
            try emit(AssignCase(caseId: serviceCase.id, agentId: staff.agents[agent].id), by: by)
            serviceCase.agent = agent
            schedule(serviceCase.respondAt, .caseStep(k, .respond))
        case .respond:
            guard serviceCase.status != .closed, serviceCase.status != .resolved, !serviceCase.hasFirstResponse else { return }
            try emit(RecordFirstResponse(caseId: serviceCase.id, agentId: staff.agents[agent].id), by: by)
            serviceCase.hasFirstResponse = true
            let target = DomainConfiguration.standard.serviceLevels[serviceCase.priority]!.firstResponseMinutes
            serviceCase.breached = now - serviceCase.openedAt > Int64(target) * Clock.minute
            try interaction(customer, channel: serviceCase.channel == .call ? .call : .email, direction: .outbound, by: by,
                            subject: "First response to \(serviceCase.id)", case: serviceCase.id)
            try emit(ChangeCaseStatus(caseId: serviceCase.id, status: .inProgress), by: by)
            serviceCase.status = .inProgress
            let span = serviceCase.resolveAt - now
            if random.chance(serviceCase.isComplaint ? 0.35 : serviceCase.priority == .urgent || serviceCase.priority == .high ? 0.12 : 0.04) {
                schedule(now + span / 4, .caseStep(k, .escalate))
            }
            if random.chance(0.28), span > 4 * Clock.hour { schedule(now + span / 3, .caseStep(k, .waiting)) }
            schedule(serviceCase.resolveAt, .caseStep(k, .resolve))
        case .waiting:
            guard serviceCase.status == .inProgress else { return }
            try emit(ChangeCaseStatus(caseId: serviceCase.id, status: .waitingOnCustomer), by: by)
            serviceCase.status = .waitingOnCustomer
            schedule(now + (serviceCase.resolveAt - now) / 2, .caseStep(k, .customerReply))
        case .customerReply:
            guard serviceCase.status == .waitingOnCustomer else { return }
            try interaction(customer, channel: .email, direction: .inbound, by: by, subject: "Customer reply on \(serviceCase.id)", case: serviceCase.id)
            try emit(ChangeCaseStatus(caseId: serviceCase.id, status: .inProgress), by: by)
            serviceCase.status = .inProgress
        case .escalate:
            guard serviceCase.status != .closed, serviceCase.status != .resolved, serviceCase.escalation < 3 else { return }
            let level = serviceCase.escalation + 1
            try emit(EscalateCase(caseId: serviceCase.id, level: level, reason: random.pick([
                "needs second-level support", "customer requested a supervisor", "defect suspected, handed to product team", "SLA at risk",
            ])), by: by)
            serviceCase.escalation = level
            if random.chance(0.2) { schedule(now + (serviceCase.resolveAt - now) / 2, .caseStep(k, .escalate)) }
        case .resolve:
            guard serviceCase.status != .closed, serviceCase.status != .resolved else { return }
            try emit(ResolveCase(caseId: serviceCase.id, resolution: random.pick([
                "Explained the configuration; customer confirmed", "Fixed by resetting the account", "Replacement shipped",
                "Credit note issued", "Patched in release \(random.int(3...5)).\(random.int(0...12))", "Technician visited and fixed on site",
            ])), by: by)
            let target = DomainConfiguration.standard.serviceLevels[serviceCase.priority]!.resolutionMinutes
            serviceCase.breached = serviceCase.breached || now - serviceCase.openedAt > Int64(target) * Clock.minute
            serviceCase.status = .resolved
            if serviceCase.reopens == 0, random.chance(0.06) {
                schedule(service(now + days(1, spread: 0.7)), .caseStep(k, .reopen))
            } else {
                schedule(service(now + days(3, spread: 0.3)), .caseStep(k, .close))
            }
        case .reopen:
            guard serviceCase.status == .resolved || serviceCase.status == .closed else { return }
            try emit(ReopenCase(caseId: serviceCase.id, reason: "customer reports the problem persists"),
                     by: serviceCase.channel == .call ? .system(.telephony) : by)
            serviceCase.status = .open
            serviceCase.reopens += 1
            schedule(service(now + days(1.5, spread: 0.6)), .caseStep(k, .resolve))
        case .close:
            guard serviceCase.status == .resolved else { return }
            try emit(CloseCase(caseId: serviceCase.id), by: random.chance(0.7) ? .system(.scheduler) : by)
            serviceCase.status = .closed
            serviceCase.pendingReopen = serviceCase.reopens == 0 && random.chance(0.015)
            if serviceCase.pendingReopen { schedule(service(now + days(5)), .caseStep(k, .reopen)) }
            if !serviceCase.surveyed, random.chance(0.85) {
                schedule(now + minutes(300, spread: 1), .caseStep(k, .survey))
            } else if !serviceCase.pendingReopen {
                cases[k] = nil
            }
        case .survey:
            guard !serviceCase.surveyed, customer.isCommandable else { return }
            try sendSurvey(serviceCase)
            if serviceCase.status == .closed, !serviceCase.pendingReopen { cases[k] = nil }
        }
    }

    /// The survey service asks about the case; about a third answer, complainers more often, with
    /// scores that follow how the case went.
    func sendSurvey(_ serviceCase: SimCase) throws {
        let customer = customers[serviceCase.customer]
        let id = nextId("SV-")
        try emit(SendSurvey(surveyId: id, customerId: customer.id, caseId: serviceCase.id,
                            channel: random.weighted([(SurveyChannel.email, 0.7), (.sms, 0.15), (.web, 0.1), (.phone, 0.05)])),
                 by: .system(.surveys))
        serviceCase.surveyed = true
        guard random.chance(serviceCase.isComplaint ? 0.45 : 0.33) else { return }
        let mood = (serviceCase.breached ? 1 : 0) + (serviceCase.isComplaint ? 1 : 0) + serviceCase.reopens + (serviceCase.escalation >= 2 ? 1 : 0)
        let weights: [Double] = switch mood {
        case 0: [0.03, 0.05, 0.1, 0.32, 0.5]
        case 1: [0.08, 0.14, 0.25, 0.33, 0.2]
        case 2: [0.25, 0.25, 0.25, 0.17, 0.08]
        default: [0.45, 0.25, 0.18, 0.08, 0.04]
        }
        let csat = random.weightedIndex(weights) + 1
        let nps = switch csat {
        case 5: random.chance(0.8) ? random.int(9...10) : 8
        case 4: random.int(7...9)
        case 3: random.int(5...7)
        case 2: random.int(2...5)
        default: random.int(0...3)
        }
        schedule(now + Int64(random.logNormal(median: 18, sigma: 1) * Double(Clock.hour)),
                 .answerSurvey(surveyId: id, customer: serviceCase.customer, csat: csat, nps: nps))
    }

    func answerSurvey(_ id: String, customer c: Int, csat: Int, nps: Int) throws {
        let comment: String? = random.chance(0.3) ? (csat >= 4 ? random.pick([
            "Quick and friendly help", "Problem solved, thank you", "Very competent agent", "Good, but the hotline wait was long",
        ]) : random.pick([
            "Took far too long", "I had to call three times", "Problem is still not really solved", "Nobody called back as promised",
        ])) : nil
        try emit(AnswerSurvey(surveyId: id, csat: csat, nps: nps, comment: comment), by: .system(.surveys))
    }
}
