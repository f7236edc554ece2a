import Foundation

// Marketing: a campaign or two each quarter (webinars in spring, the customer day in summer, an
// upgrade mailing and a win-back mailing in autumn, the year-end offer), planned weeks ahead,
// launched to a target list, answered by some, converted into deals by fewer, closed with the
// actual cost. Now and then a planned campaign is called off.
extension SimulationRun {
    func planCampaigns(year: Int, quarter: Int) throws {
        let quarterStart = Clock.startOfMonth(year: year, month: (quarter - 1) * 3 + 1)
        let launch = office(max(quarterStart, Clock.startOfDay(now) + 10 * Clock.day) + 8 * Clock.hour)
        typealias Plan = (name: String, channel: MarketingChannel, segment: Int?, target: String, budget: ClosedRange<Int>, winBack: Bool)
        var plans: [Plan] = []
        switch quarter {
        case 1: plans.append(("Spring webinar series \(year)", .email, SimulationSegment.smb, "smb", 9_000...15_000, false))
        case 2: plans.append(("Customer day \(year)", .event, SimulationSegment.midMarket, "key-account+mid-market", 30_000...60_000, false))
        case 3:
            plans.append(("Upgrade offer \(year)", .directMail, SimulationSegment.midMarket, "mid-market", 15_000...25_000, false))
            plans.append(("We miss you \(year)", .email, nil, "churned-customers", 5_000...10_000, true))
        default: plans.append(("Year-end licence offer \(year)", random.chance(0.5) ? .phone : .email, SimulationSegment.smb, "smb+mid-market", 10_000...20_000, false))
        }
        for (n, plan) in plans.enumerated() {
            let budget = Int64(random.int(plan.budget) / 100 * 100) * 100
            let end = launch + 8 * Clock.week
            let campaign = SimCampaign(id: "CMP-\(year)-Q\(quarter)-\(n + 1)", name: plan.name, channel: plan.channel, budget: budget,
                                       segment: plan.segment, isWinBack: plan.winBack, start: launch, end: end)
            try emit(PlanCampaign(campaignId: campaign.id, name: plan.name, channel: plan.channel, targetSegment: plan.target,
                                  budget: money(budget), plannedStart: Clock.date(launch), plannedEnd: Clock.date(end)), by: .marketing)
            campaigns.append(campaign)
            summary.campaigns += 1
            let k = campaigns.count - 1
            if random.chance(0.08) {
                schedule(office(launch - 3 * Clock.day), .closeCampaign(k))
            } else {
                schedule(launch, .launchCampaign(k))
                schedule(office(end + days(7, spread: 0.3)), .closeCampaign(k))
            }
        }
    }

    /// The campaign goes out to its target list; responses trickle in over the following weeks.
    func launchCampaign(_ k: Int) throws {
        let campaign = campaigns[k]
        guard campaign.stage == .planned else { return }
        try emit(LaunchCampaign(campaignId: campaign.id), by: .marketing)
        campaign.stage = .launched
        campaign.launched = true
        liveCampaigns.append(k)
        var candidates: [Int]
        if campaign.isWinBack {
            candidates = inactive
        } else if let segment = campaign.segment {
            candidates = pools[segment].members
            if segment == SimulationSegment.midMarket { candidates += pools[SimulationSegment.keyAccount].members }
            if segment == SimulationSegment.smb, campaign.name.hasPrefix("Year-end") { candidates += pools[SimulationSegment.midMarket].members }
        } else {
            candidates = []
        }
        let responseRate: Double = switch campaign.channel {
        case .event: 0.18
        case .phone: 0.12
        case .directMail: 0.05
        default: campaign.isWinBack ? 0.09 : 0.07
        }
        var count = 0
        for c in candidates where count < 1500 && random.chance(0.45) {
            let customer = customers[c]
            guard customer.isCommandable, !campaign.targetedSet.contains(c) else { continue }
            try emit(TargetCampaignMember(campaignId: campaign.id, customerId: customer.id), by: .marketing)
            campaign.targeted.append(c)
            campaign.targetedSet.insert(c)
            count += 1
            if random.chance(responseRate) {
                let at = now + Int64(random.exponential(mean: 10) * Double(Clock.day))
                if at < campaign.end { schedule(campaign.channel == .email ? at : office(at), .campaignResponse(k, customer: c)) }
            }
        }
    }

    func campaignResponse(_ k: Int, customer c: Int) throws {
        let campaign = campaigns[k]
        let customer = customers[c]
        guard campaign.stage == .launched, campaign.targetedSet.contains(c), !campaign.responded.contains(c), customer.isCommandable else { return }
        let (channel, issuer, interaction): (MarketingChannel, SimulationIssuer, InteractionChannel) = switch campaign.channel {
        case .event: (.event, .marketing, .meeting)
        case .directMail: random.chance(0.6) ? (.web, .system(.webForms), .webForm) : (.phone, .agent(random.int(0...(staff.agents.count - 1))), .call)
        case .phone: (.phone, customer.manager.map { .manager($0) } ?? .marketing, .call)
        default: random.chance(0.8) ? (.web, .system(.webForms), .webForm) : (.email, .marketing, .email)
        }
        try emit(RecordCampaignResponse(campaignId: campaign.id, customerId: customer.id, channel: channel,
                                        note: random.chance(0.3) ? random.pick(["asked for an offer", "registered for the webinar", "wants a call back", "attended"]) : nil),
                 by: issuer)
        campaign.responded.insert(c)
        try self.interaction(customer, channel: interaction, direction: .inbound, by: issuer, subject: "Response to \(campaign.name)",
                             campaign: campaign.id, outcome: "responded")
        if campaign.isWinBack {
            if !customer.isActive, random.chance(0.35) { schedule(office(now + days(3)), .winBack(c, campaign: k)) }
        } else if customer.isActive, customer.manager != nil, random.chance(0.35) {
            schedule(office(now + days(4)), .growthDeal(c, random.chance(0.55) ? .upSell : .crossSell, campaign: k))
        }
    }

    /// Ends the campaign with its actual cost (a fraction of the budget when called off).
    func closeCampaign(_ k: Int) throws {
        let campaign = campaigns[k]
        guard campaign.stage != .closed else { return }
        let share = campaign.launched ? random.double(0.85...1.12) : random.double(0.02...0.1)
        let cost = Int64((Double(campaign.budget) * share / 100).rounded()) * 100
        try emit(CloseCampaign(campaignId: campaign.id, actualCost: money(cost),
                               note: campaign.launched ? "\(campaign.responded.count) responses from \(campaign.targeted.count) targeted" : "called off before launch"),
                 by: .marketing)
        campaign.stage = .closed
        liveCampaigns.removeAll { $0 == k }
    }
}
