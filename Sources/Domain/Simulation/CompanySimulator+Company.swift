import Foundation

// The company's rhythm: set-up on the first morning, the daily arrivals (leads, registrations,
// calls, cases, purchases), the weekly work plans and reports, the monthly churn and win-back
// review, the yearly reclassification and account rebalancing, and the process revision.
extension SimulationRun {
    typealias Clock = SimulationClock

    /// The administrator defines the sales processes; the migration of the opening base and the
    /// first campaign are planned.
    func setup() throws {
        for process in SimulationCatalog.processes {
            try emit(DefineSalesProcess(processId: process.id, name: process.name, stages: process.stages,
                                        allowsSkipping: process.allowsSkipping), by: .admin)
        }
        // The sales teams and who is in them, so reports can roll managers up into teams.
        for team in settings.teams {
            let teamId = team.id
            try emit(DefineTeam(teamId: teamId, name: team.name, region: team.region), by: .admin)
            for manager in team.managers { try emit(AssignManagerToTeam(teamId: teamId, managerId: manager), by: .admin) }
        }
        // The opening base is migrated from the old system over the first two weeks' evenings.
        for _ in 0..<openingBaseCount {
            let segment = random.weightedIndex([0.08, 0.25, 0.40, 0.27])
            let customer = newCustomer(segment: segment, team: random.int(0...(staff.teams.count - 1)), channel: .importFile)
            let evening = Clock.startOfDay(now) + Int64(random.int(1...12)) * Clock.day + 18 * Clock.hour
            schedule(evening + random.int64(0...(3 * Clock.hour)), .migrate(customer.index))
        }
        for (p, process) in SimulationCatalog.processes.enumerated() where process.revision != nil {
            schedule(office(start + (end - start) * Int64(2 + p) / 5), .reviseProcess(p))
        }
        let (year, month, _) = Clock.civil(now)
        try planCampaigns(year: year, quarter: (month - 1) / 3 + 1)
    }

    /// The day's arrivals, and the weekly, monthly and yearly routines that fall on it.
    func day() throws {
        let today = now
        let weekday = Clock.weekday(today)
        let (_, month, dayOfMonth) = Clock.civil(today)
        schedule(today + Clock.day, .day)
        if weekday == 0 { schedule(today + 6 * Clock.hour + 50 * Clock.minute, .weekPlans) }
        if weekday == 4 { schedule(today + 13 * Clock.hour, .weekReports) }
        if dayOfMonth == 1 { schedule(today + 4 * Clock.hour + 30 * Clock.minute, .monthScan) }
        if month == 1, dayOfMonth == 15, today - start > 300 * Clock.day { schedule(office(today + 8 * Clock.hour), .yearReview) }
        if month == 7, dayOfMonth == 1, today - start > 150 * Clock.day { schedule(office(today + 8 * Clock.hour), .rebalance) }
        if month % 3 == 0, dayOfMonth == 10 {
            let (year, _, _) = Clock.civil(today)
            schedule(office(today + 8 * Clock.hour), .planCampaigns(year: month == 12 ? year + 1 : year, quarter: month == 12 ? 1 : month / 3 + 1))
        }

        let base = season(today) * growth(today)
        let office = Self.officeWeek[weekday], online = Self.onlineWeek[weekday], desk = Self.serviceWeek[weekday]
        // New business: leads by channel, direct registrations, duplicate registrations.
        for (index, channel) in settings.leadChannels.enumerated() where channel.source != .importFile {
            var lambda = leadRates[index] * base * (channel.source == .webForm ? online : office)
            var campaign: Int?
            if channel.source == .campaign {
                guard let live = liveCampaigns.isEmpty ? nil : random.pick(liveCampaigns) else { continue }
                lambda /= 0.6  // campaigns are live about 60 % of the time
                campaign = live
            }
            for _ in 0..<random.poisson(lambda) {
                let lead = newLead(channel, campaign: campaign)
                let at = channel.source == .webForm || channel.source == .campaign ? Clock.onlineMoment(on: today, &random) : Clock.officeMoment(on: today, &random)
                schedule(at, .captureLead(lead))
            }
        }
        for _ in 0..<random.poisson(directRate * base * online) {
            let channel = random.weighted([(AcquisitionChannel.webForm, 0.42), (.phone, 0.2), (.email, 0.1), (.walkIn, 0.08), (.partner, 0.14), (.social, 0.06)])
            let segment = channel == .webForm ? (random.chance(0.85) ? SimulationSegment.consumer : SimulationSegment.smb)
                : channel == .partner ? random.weighted([(SimulationSegment.midMarket, 0.5), (SimulationSegment.smb, 0.4), (SimulationSegment.keyAccount, 0.1)])
                : random.weighted([(SimulationSegment.smb, 0.6), (SimulationSegment.midMarket, 0.25), (SimulationSegment.consumer, 0.15)])
            let customer = newCustomer(segment: segment, team: random.int(0...(staff.teams.count - 1)), channel: channel)
            let at = channel == .webForm || channel == .social ? Clock.onlineMoment(on: today, &random) : self.office(Clock.officeMoment(on: today, &random))
            schedule(at, .register(customer.index))
        }
        for _ in 0..<random.poisson(duplicateRate * base * online) {
            if let duplicate = newDuplicate() {
                schedule(Clock.onlineMoment(on: today, &random), .registerDuplicate(duplicate))
            }
        }
        // Existing customers: contacts, cases, deals, purchases, profile changes.
        let activity = settings.activity * season(today)
        for (s, segment) in SimulationSegment.all.enumerated() {
            let size = Double(pools[s].count) / 365 * activity
            guard size > 0 else { continue }
            for _ in 0..<random.poisson(size * segment.interactionsPerYear * office) {
                if let c = pools[s].pick(&random) { schedule(Clock.officeMoment(on: today, &random), .interaction(c)) }
            }
            for _ in 0..<random.poisson(size * segment.casesPerYear * desk) {
                if let c = pools[s].pick(&random) { schedule(caseMoment(today), .openCase(c)) }
            }
            for _ in 0..<random.poisson(size * segment.upSellsPerYear * office) {
                if let c = pools[s].pick(&random) { schedule(Clock.officeMoment(on: today, &random), .growthDeal(c, .upSell, campaign: nil)) }
            }
            for _ in 0..<random.poisson(size * segment.crossSellsPerYear * office) {
                if let c = pools[s].pick(&random) { schedule(Clock.officeMoment(on: today, &random), .growthDeal(c, .crossSell, campaign: nil)) }
            }
            for _ in 0..<random.poisson(size * segment.shopOrdersPerYear * online) {
                if let c = pools[s].pick(&random) { schedule(Clock.onlineMoment(on: today, &random), .shopOrder(c)) }
            }
            for _ in 0..<random.poisson(size * 0.07 * office) {
                if let c = pools[s].pick(&random) { schedule(Clock.officeMoment(on: today, &random), .profileChange(c)) }
            }
            if s != SimulationSegment.consumer {
                for _ in 0..<random.poisson(size * 0.3 * office) {
                    if let c = pools[s].pick(&random) { schedule(Clock.officeMoment(on: today, &random), .contactChange(c)) }
                }
            }
            for _ in 0..<random.poisson(size * 0.06 * online) {
                if let c = pools[s].pick(&random) { schedule(Clock.onlineMoment(on: today, &random), .consentChange(c)) }
            }
        }
    }

    /// When customers raise cases: office hours mostly, some evenings (web forms, e-mail).
    func caseMoment(_ today: Int64) -> Int64 {
        random.chance(0.75) ? Clock.officeMoment(on: today, &random) : Clock.onlineMoment(on: today, &random)
    }

    // MARK: Weekly

    /// Monday morning: each manager plans the week (some a day late, none while on leave).
    func weekPlans() throws {
        let month = Clock.month(now)
        let leave = month == 7 || month == 8 ? 0.22 : month == 12 ? 0.1 : 0.04
        for manager in staff.managers {
            guard !random.chance(leave) else {
                schedule(office(now), .holidayCover(manager.index))
                continue
            }
            let late = random.chance(0.1) ? Clock.day : 0
            schedule(office(now + late + minutes(40, spread: 0.8)), .planWeek(manager.index))
        }
    }

    /// A manager is away this week: a colleague of the team takes over the tasks falling due.
    func holidayCover(_ m: Int) throws {
        let colleagues = staff.teams[staff.managers[m].team].filter { $0 != m }
        guard !colleagues.isEmpty else { return }
        let cover = random.pick(colleagues)
        for t in managerTasks[m] {
            guard let task = tasks[t], task.status == .open, task.dueAt < now + 8 * Clock.day else { continue }
            try reassignTask(t, to: cover, reason: "holiday cover for \(staff.managers[m].id)", by: .manager(cover))
        }
    }

    func planWeek(_ m: Int) throws {
        let monday = Clock.startOfDay(now) - Int64(Clock.weekday(now)) * Clock.day
        let planId = Clock.isoWeek(now)
        let load = managerLoad[m]
        let visits = max(0, min(12, load / 12 + random.int(0...3)))
        let calls = 10 + min(40, load / 3) + random.int(0...10)
        let reach = max(3, min(60, load / 2 + random.int(0...8)))
        let notes: String? = random.chance(0.3) ? random.pick([
            "Focus on renewals due next month", "Follow up open proposals", "Prepare quarterly business reviews",
            "Trade fair follow-ups", "Clear arrears of my accounts", "Onboarding calls for new customers",
        ]) : nil
        try emit(PlanWork(managerId: staff.managers[m].id, planId: planId, periodStart: Clock.date(monday),
                          periodEnd: Clock.date(monday + Clock.week - 1), targets: WorkPlanTargets(visits: visits, calls: calls, customers: reach, notes: notes)),
                 by: .manager(m))
        if random.chance(0.12) {
            schedule(office(now + days(2, spread: 0.3)),
                     .revisePlan(manager: m, planId: planId, visits: visits + random.int(1...2), calls: max(0, calls - random.int(3...8)), customers: reach))
        }
    }

    func revisePlan(_ m: Int, _ planId: String, visits: Int, calls: Int, customers: Int) throws {
        try emit(ReviseWorkPlan(managerId: staff.managers[m].id, planId: planId,
                                targets: WorkPlanTargets(visits: visits, calls: calls, customers: customers, notes: "Revised: customer visits moved up")),
                 by: .manager(m))
    }

    /// Friday afternoon: most managers log their reporting and pipeline review time.
    func weekReports() throws {
        for manager in staff.managers where random.chance(0.25) {
            schedule(now + minutes(90, spread: 0.7), .weekReport(manager.index))
        }
    }

    func weekReport(_ m: Int) throws {
        try logWork(m, customer: nil, activity: .administration, minutes: 30 + random.int(0...9) * 10,
                    note: random.pick(["Weekly report and pipeline review", "Forecast update for the sales meeting", "CRM data clean-up and planning"]))
    }

    // MARK: Monthly and yearly

    /// The first of the month: churn, win-back candidates, retention visits, and the lead list import.
    func monthScan() throws {
        let today = now
        for s in pools.indices {
            for c in pools[s].members {
                let customer = customers[c]
                if customer.tags.contains("at-risk"), let last = customer.complaints.last, today - last > 180 * Clock.day {
                    schedule(reviewMoment(today), .untag(c, "at-risk"))
                }
                if s <= SimulationSegment.midMarket, customer.manager != nil, customer.openDeals == 0,
                   today - (customer.lastPurchaseAt ?? customer.acquiredAt) > 300 * Clock.day,
                   today - (customer.lastRetentionAt ?? 0) > 180 * Clock.day, random.chance(0.3) {
                    customer.lastRetentionAt = today
                    schedule(office(today + days(2)), .assignTask(c, .retention))
                }
                guard customer.openDeals == 0, customer.subscription == nil || customer.renewalLost else { continue }
                let recentComplaints = customer.complaints.filter { today - $0 < 180 * Clock.day }.count
                let reason: String?
                if recentComplaints >= 3, random.chance(0.3) {
                    reason = "left after repeated complaints"
                } else if customer.lastPurchaseAt == nil, today - customer.acquiredAt > 365 * Clock.day, random.chance(0.3) {
                    reason = "prospect closed: no purchase within a year"
                } else if let last = customer.lastPurchaseAt, today - last > (s == SimulationSegment.consumer ? 720 : 540) * Clock.day, random.chance(0.35) {
                    reason = s == SimulationSegment.consumer ? "inactive for two years" : "no purchase for eighteen months"
                } else {
                    reason = nil
                }
                if let reason { schedule(reviewMoment(today), .deactivate(c, reason)) }
            }
        }
        for c in inactive {
            let customer = customers[c]
            if let churned = customer.churnedAt, today - churned > 120 * Clock.day, random.chance(0.012) {
                schedule(office(today + days(5, spread: 0.5)), .winBack(c, campaign: nil))
            }
        }
        if Clock.month(today) % 3 == 1 {
            for c in pools[SimulationSegment.keyAccount].members where random.chance(0.8) {
                schedule(office(today + days(2, spread: 0.8)), .assignTask(c, .visit))
            }
        }
        if let index = settings.leadChannels.firstIndex(where: { $0.source == .importFile }) {
            let count = random.poisson(leadRates[index] * 30.4 * season(today) * growth(today))
            let at = office(today + Int64(random.int(1...4)) * Clock.day + 8 * Clock.hour)
            for _ in 0..<count { schedule(at, .captureLead(newLead(settings.leadChannels[index], campaign: nil))) }
        }
    }

    /// When managers act on the monthly review: some office moment in its first week.
    func reviewMoment(_ today: Int64) -> Int64 {
        office(Clock.officeMoment(on: Clock.startOfDay(today) + Int64(random.int(0...5)) * Clock.day, &random))
    }

    /// Mid-January: customers are re-graded by last year's revenue (upgrades and downgrades).
    func yearReview() throws {
        for s in pools.indices {
            for c in pools[s].members {
                let customer = customers[c]
                let revenue = customer.revenue.filter { now - $0.at < 365 * Clock.day }.reduce(Int64(0)) { $0 + $1.minor }
                let tier = s == SimulationSegment.consumer ? (revenue >= 100_000 ? "silver" : "standard")
                    : revenue >= 5_000_000 ? "gold" : revenue >= 1_000_000 ? "silver" : "bronze"
                var size = customer.size
                if random.chance(0.04), let next = SimulationSegment.all[s].sizes.first(where: { $0 != customer.size }) { size = next }
                guard tier != customer.tier || size != customer.size else { continue }
                customer.tier = tier
                customer.size = size
                try classify(customer, by: .admin)
            }
        }
    }

    /// July: some accounts move to another manager of the same team, with their open deals and tasks.
    func rebalance() throws {
        for members in pools.map(\.members) {
            for c in members where random.chance(0.05) {
                let customer = customers[c]
                guard let current = customer.manager, staff.teams[customer.team].count > 1 else { continue }
                var next = staff.teams[customer.team].filter { $0 != current }
                next.sort { managerLoad[$0] < managerLoad[$1] }
                try assignManager(customer, next[0], by: .admin)
                for o in customer.deals {
                    guard let deal = opportunities[o], deal.owner != next[0] else { continue }
                    deal.owner = next[0]
                    try emit(ReassignOpportunity(opportunityId: deal.id, ownerId: staff.managers[next[0]].id), by: .admin)
                }
                for t in customer.tasks {
                    try reassignTask(t, to: next[0], reason: "account rebalancing", by: .admin)
                }
            }
        }
    }

    /// The administrator revises a sales process; open deals adopt the revision as they are worked.
    func reviseProcess(_ p: Int) throws {
        guard let revision = SimulationCatalog.processes[p].revision else { return }
        try emit(ReviseSalesProcess(processId: SimulationCatalog.processes[p].id, stages: revision.stages,
                                    allowsSkipping: SimulationCatalog.processes[p].allowsSkipping, reason: revision.reason), by: .admin)
        processVersions[p] += 1
        processStages[p] = revision.stages
    }

    // MARK: Work log

    /// A manager's work-log entry for work done just now.
    func logWork(_ m: Int, customer: Int?, activity: WorkActivityKind, minutes: Int, note: String, mobile: Bool = false) throws {
        if let customer, !customers[customer].isCommandable { return }
        try emit(LogWork(managerId: staff.managers[m].id, entryId: nextId("WL-", width: 7), date: Clock.date(now - Int64(minutes) * Clock.minute / 2),
                         customerId: customer.map { customers[$0].id }, activity: activity, minutes: max(1, min(1440, minutes)), note: note),
                 by: .manager(m, mobile: mobile))
    }
}
