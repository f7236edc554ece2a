import Foundation

// Sales: leads by channel, qualification and conversion, opportunities moving stage by stage
// (time in stage, conversion per stage, moves back, skips, slips), quotes and their revisions,
// wins and losses, reopened deals, orders from the quotes, and the shop's direct orders.
extension SimulationRun {
    // MARK: Leads

    func newLead(_ channel: SimulationSettings.LeadChannel, campaign: Int?) -> Int {
        let team = random.int(0...(staff.teams.count - 1))
        let region = settings.teams[team].region
        let isCompany = random.chance(channel.source == .webForm ? 0.8 : 0.92)
        let identity = isCompany ? people.organisation(region: region).identity : people.person(region: region)
        leads.append(SimLead(id: nextId("L"), source: channel.source, identity: identity, team: team, campaign: campaign,
                             qualifies: random.chance(channel.qualifyRate), winFactor: channel.winFactor))
        return leads.count - 1
    }

    func captureLead(_ l: Int) throws {
        guard let lead = leads[l] else { return }
        let team = lead.team
        let issuer: SimulationIssuer
        var reason: String?
        switch lead.source {
        case .webForm, .campaign: issuer = .system(.webForms)
        case .event: issuer = .manager(random.pick(staff.teams[team]), mobile: true)
        case .referral: issuer = .manager(random.pick(staff.teams[team]))
        case .directMail: issuer = .agent(random.int(0...(staff.agents.count - 1)))
        case .importFile:
            issuer = .migration
            reason = "lead list import"
        }
        let notes = random.chance(0.6) ? random.pick([
            "Interested in Cloud Suite for about \(random.int(2...80)) users", "Asked for a demo", "Wants a price list",
            "Currently with a competitor, contract ends soon", "Needs hardware and licences", "Met at our booth",
            "Referred by an existing customer", "Requested a call back",
        ]) : nil
        try emit(CaptureLead(leadId: lead.id, source: lead.source, name: lead.identity.name, organisation: lead.identity.organisation,
                             email: lead.identity.email, phone: lead.identity.phone,
                             campaignId: lead.campaign.map { campaigns[$0].id }, notes: notes), by: issuer, reason: reason)
        summary.leads += 1
        if random.chance(0.95) { schedule(office(now + days(1.2, spread: 0.9)), .reviewLead(l)) } else { leads[l] = nil }
    }

    /// A manager qualifies or disqualifies the lead; a qualified lead that goes quiet is
    /// disqualified weeks later.
    func reviewLead(_ l: Int) throws {
        guard let lead = leads[l] else { return }
        let m = random.pick(staff.teams[lead.team])
        switch lead.status {
        case .captured where lead.qualifies:
            try emit(QualifyLead(leadId: lead.id, reason: random.pick([
                "budget confirmed", "need and timing confirmed", "decision maker engaged", "fits our target profile",
                "budget, authority, need and timing confirmed",
            ])), by: .manager(m))
            lead.status = .qualified
            if random.chance(0.88) {
                schedule(office(now + days(3.5)), .convertLead(l))
            } else if random.chance(0.5) {
                schedule(office(now + days(45, spread: 0.4)), .reviewLead(l))
            } else {
                leads[l] = nil
            }
        case .captured:
            try emit(DisqualifyLead(leadId: lead.id, reason: random.weighted([
                ("no budget", 0.25), ("not reachable", 0.22), ("no need", 0.18), ("too small", 0.12), ("student or private inquiry", 0.08),
                ("competitor", 0.05), ("spam", 0.1),
            ])), by: .manager(m))
            leads[l] = nil
        case .qualified:
            try emit(DisqualifyLead(leadId: lead.id, reason: "no response after qualification"), by: .manager(m))
            leads[l] = nil
        default:
            leads[l] = nil
        }
    }

    /// The qualified lead becomes a customer and a new-business opportunity in one command.
    func convertLead(_ l: Int) throws {
        guard let lead = leads[l], lead.status == .qualified else { return }
        leads[l] = nil
        let isCompany = lead.identity.organisation != nil
        let segment = isCompany ? random.weighted([(SimulationSegment.keyAccount, 0.05), (SimulationSegment.midMarket, 0.25), (SimulationSegment.smb, 0.7)])
            : SimulationSegment.smb
        let info = SimulationSegment.all[segment]
        let customer = SimCustomer(index: customers.count, id: nextId("C"), kind: isCompany ? .organisation : .person, identity: lead.identity,
                                   segment: segment, team: lead.team,
                                   industry: isCompany ? random.pick(SimulationPeople.industries).name : "freelance",
                                   size: isCompany ? random.pick(info.sizes) : "1-9", tier: ["gold", "silver", "bronze", "standard"][segment],
                                   acquiredAt: now, habit: random.weighted([(PayerHabit.prompt, 0.7), (.slow, 0.2), (.erratic, 0.08), (.bad, 0.02)]),
                                   channel: lead.source.channel)
        customers.append(customer)
        let m = leastLoadedManager(team: lead.team)
        customer.intendedManager = m
        let deal = makeDeal(customer, cycle: .newBusiness, owner: m, winFactor: lead.winFactor, winBack: false)
        try emit(.convertLead(ConvertLead(leadId: lead.id, customerId: customer.id, opportunityId: deal.id,
                                          processId: SimulationCatalog.processes[deal.process].id, title: dealTitle(deal, customer),
                                          cycleKind: .newBusiness, amount: money(deal.amount), expectedCloseDate: Clock.date(deal.closeDate),
                                          ownerId: staff.managers[m].id)), by: .manager(m))
        lead.status = .converted
        summary.customers += 1
        opened(deal, customer)
        schedule(now + minutes(15), .onboard(customer.index))
        if let k = lead.campaign { schedule(office(now + days(1)), .attributeLead(k, customer: customer.index, deal: deal.index)) }
    }

    /// A lead that answered a campaign counts as the campaign's conversion once it is a customer.
    func attributeLead(_ k: Int, customer c: Int, deal o: Int) throws {
        let campaign = campaigns[k]
        let customer = customers[c]
        guard campaign.stage == .launched, customer.isCommandable, !campaign.targetedSet.contains(c), let deal = opportunities[o] else { return }
        try emit(TargetCampaignMember(campaignId: campaign.id, customerId: customer.id), by: .marketing)
        campaign.targeted.append(c)
        campaign.targetedSet.insert(c)
        try emit(RecordCampaignResponse(campaignId: campaign.id, customerId: customer.id, channel: .web, note: "answered as a new lead"), by: .marketing)
        campaign.responded.insert(c)
        try emit(RecordCampaignConversion(campaignId: campaign.id, customerId: customer.id, opportunityId: deal.id, value: money(deal.amount)),
                 by: .marketing)
        campaign.converted.insert(c)
    }

    // MARK: Opening deals

    /// The first deal of a business customer who registered directly.
    func firstDeal(_ c: Int) throws {
        try openDeal(customers[c], cycle: .newBusiness, campaign: nil, winBack: false)
    }

    /// An up-sell or cross-sell for an existing customer, on the manager's initiative or from a campaign.
    func growthDeal(_ c: Int, _ cycle: SalesCycleKind, campaign: Int?) throws {
        let customer = customers[c]
        guard customer.segment != SimulationSegment.consumer, customer.lastPurchaseAt != nil,
              cycle != .upSell || customer.subscription != nil else { return }
        try openDeal(customer, cycle: cycle, campaign: campaign, winBack: false)
    }

    /// Sixty days before the contract's anniversary the manager opens the renewal.
    func renewal(_ c: Int) throws {
        let customer = customers[c]
        guard customer.isActive, customer.isCommandable, customer.subscription != nil, let due = customer.renewalAt,
              now >= due - 75 * Clock.day, !customer.renewalOpen else { return }
        try openDeal(customer, cycle: .renewal, campaign: nil, winBack: false)
        customer.renewalOpen = true
        try assignTask(c, .call)
    }

    /// Opens an opportunity (`OpenOpportunity`) for an active customer without other open deals
    /// (renewals and win-backs open regardless).
    func openDeal(_ customer: SimCustomer, cycle: SalesCycleKind, campaign: Int?, winBack: Bool) throws {
        guard customer.isActive, customer.isCommandable, customer.segment != SimulationSegment.consumer else { return }
        guard customer.openDeals == 0 || cycle == .renewal || winBack else { return }
        let m = customer.manager ?? leastLoadedManager(team: customer.team)
        let deal = makeDeal(customer, cycle: cycle, owner: m, winFactor: winBack ? 0.8 : 1, winBack: winBack)
        try emit(OpenOpportunity(opportunityId: deal.id, customerId: customer.id, processId: SimulationCatalog.processes[deal.process].id,
                                 title: dealTitle(deal, customer, winBack: winBack), cycleKind: cycle, amount: money(deal.amount),
                                 expectedCloseDate: Clock.date(deal.closeDate), ownerId: staff.managers[m].id), by: .manager(m))
        opened(deal, customer)
        if let k = campaign {
            let campaign = campaigns[k]
            deal.campaign = k
            if campaign.launched, campaign.targetedSet.contains(customer.index), !campaign.converted.contains(customer.index) {
                try emit(RecordCampaignConversion(campaignId: campaign.id, customerId: customer.id, opportunityId: deal.id, value: money(deal.amount)),
                         by: .marketing)
                campaign.converted.insert(customer.index)
            }
        }
    }

    /// The mirror of a new opportunity: process, offer lines, estimate and expected close.
    func makeDeal(_ customer: SimCustomer, cycle: SalesCycleKind, owner: Int, winFactor: Double, winBack: Bool) -> SimOpportunity {
        let segment = SimulationSegment.all[customer.segment]
        let process = cycle == .newBusiness ? segment.newBusinessProcess : SimulationCatalog.accountGrowth
        let lines = offer(customer, cycle: cycle)
        let total = Self.total(lines)
        let estimate = max(10_000, Int64((Double(total) * random.double(0.8...1.25) / 10_000).rounded()) * 10_000)
        let duration = SimulationCatalog.processes[process].medianDays.reduce(0, +) * segment.pace * random.double(0.9...1.4)
        let close = Clock.startOfDay(now + Int64(duration * Double(Clock.day)))
        let deal = SimOpportunity(index: opportunities.count, id: nextId("OPP-"), customer: customer.index, process: process, processVersion: processVersions[process],
                                  stages: processStages[process], allowsSkipping: SimulationCatalog.processes[process].allowsSkipping,
                                  owner: owner, cycle: cycle, amount: estimate, closeDate: close, winFactor: winFactor, lines: lines)
        opportunities.append(deal)
        return deal
    }

    func opened(_ deal: SimOpportunity, _ customer: SimCustomer) {
        let o = deal.index
        customer.deals.append(o)
        customer.openDeals += 1
        summary.opportunities += 1
        schedule(office(now + stageTime(deal)), .dealWork(o))
    }

    func dealTitle(_ deal: SimOpportunity, _ customer: SimCustomer, winBack: Bool = false) -> String {
        let who = customer.identity.organisation ?? customer.identity.name
        let licence = deal.lines.first { SimulationCatalog.product($0.productId).map { SimulationCatalog.products[$0].isLicence } ?? false }
        let what: String = switch deal.cycle {
        case .newBusiness: licence.map { "\(productName($0.productId)) for \($0.quantity) users" } ?? "first order"
        case .upSell: licence.map { "\($0.quantity) more \(productName($0.productId)) licences" } ?? "upgrade"
        case .crossSell: deal.lines.map { productName($0.productId) }.prefix(2).joined(separator: " and ")
        case .renewal: "renewal \(Clock.civil(now).year + 1)"
        }
        return (winBack ? "Win-back: " : "") + "\(who): \(what)"
    }

    func productName(_ id: String) -> String {
        SimulationCatalog.product(id).map { String(SimulationCatalog.products[$0].name.prefix { $0 != "," }) } ?? id
    }

    /// How long a deal stays in its current stage (log-normal around the process's median).
    func stageTime(_ deal: SimOpportunity) -> Int64 {
        let process = SimulationCatalog.processes[deal.process]
        let median = process.medianDays[min(deal.stage, process.medianDays.count - 1)] * SimulationSegment.all[customers[deal.customer].segment].pace
        return days(median, spread: 0.55)
    }

    // MARK: Working a deal

    /// The end of a stay in a stage: the deal moves on (filling in what the next stage requires),
    /// moves back, is won, or is lost. Along the way the owner talks to the customer, the close
    /// date slips, and open deals adopt a revised process.
    func dealWork(_ o: Int) throws {
        guard let deal = opportunities[o], deal.status == .open else { return }
        let customer = customers[deal.customer]
        guard customer.isCommandable else { return }
        let owner = SimulationIssuer.manager(deal.owner)
        if deal.processVersion < processVersions[deal.process], random.chance(0.6),
           processStages[deal.process].contains(where: { $0.name == deal.stages[deal.stage].name }) {
            try emit(AdoptSalesProcessRevision(opportunityId: deal.id, processId: SimulationCatalog.processes[deal.process].id), by: owner)
            deal.processVersion = processVersions[deal.process]
            deal.stages = processStages[deal.process]
        }
        if random.chance(0.55) {
            let meeting = random.chance(0.3)
            try interaction(customer, channel: meeting ? .meeting : random.chance(0.6) ? .call : .email, direction: .outbound,
                            by: .manager(deal.owner, mobile: meeting), subject: "\(deal.stages[deal.stage].name): next steps", opportunity: deal.id)
            if meeting {
                try logWork(deal.owner, customer: deal.customer, activity: .meeting, minutes: 60 + random.int(0...6) * 10,
                            note: "Deal \(deal.id): \(deal.stages[deal.stage].name)", mobile: true)
            }
        }
        if deal.closeDate < now + 5 * Clock.day {
            let newDate = max(Clock.startOfDay(now + days(21, spread: 0.5)), Clock.startOfDay(now) + 7 * Clock.day)
            try emit(ChangeOpportunityCloseDate(opportunityId: deal.id, expectedCloseDate: Clock.date(newDate),
                                                reason: random.pick(["customer needs more time", "budget approval pending", "decision moved to next board meeting"])),
                     by: owner)
            deal.closeDate = newDate
        }
        if random.chance(0.03) {
            let others = staff.teams[customers[deal.customer].team].filter { $0 != deal.owner }
            if !others.isEmpty {
                let other = random.pick(others)
                try emit(ReassignOpportunity(opportunityId: deal.id, ownerId: staff.managers[other].id), by: owner, reason: "owner on leave")
                deal.owner = other
            }
        }
        let last = deal.stages.count - 1
        let process = SimulationCatalog.processes[deal.process]
        if deal.stage == last {
            guard let q = deal.quote, quotes[q].status == .issued else {
                try issueQuote(deal)
                schedule(office(now + days(4)), .dealWork(o))
                return
            }
            if random.chance(advanceProbability(deal)) { try winDeal(o) } else { try loseDeal(deal, reason: nil, competitor: nil, by: owner) }
            return
        }
        if deal.stage > 0, deal.movedBack < 2, random.chance(0.05) {
            let back = deal.stage - 1
            try fillFields(deal, for: back, by: owner)  // a revised process may require more of the earlier stage
            try emit(MoveOpportunityStage(opportunityId: deal.id, toStage: deal.stages[back].name, reason: random.pick(SimulationCatalog.backReasons)), by: owner)
            deal.stage = back
            deal.movedBack += 1
        } else if random.chance(advanceProbability(deal)) {
            var target = deal.stage + 1
            if deal.allowsSkipping, deal.stage == 0, random.chance(0.25) { target = last }
            try fillFields(deal, for: target, by: owner)
            try emit(MoveOpportunityStage(opportunityId: deal.id, toStage: deal.stages[target].name), by: owner)
            deal.stage = target
            if target == process.quoteStage { try ensureQuote(deal) }
            if deal.stages[target].name == "negotiation", let q = deal.quote, quotes[q].status == .issued, random.chance(0.35) {
                try negotiate(deal, quotes[q])
            }
        } else {
            try loseDeal(deal, reason: nil, competitor: nil, by: owner)
            return
        }
        schedule(office(now + stageTime(deal)), .dealWork(o))
    }

    /// The chance to move on from the current stage (to win, at the last one).
    func advanceProbability(_ deal: SimOpportunity) -> Double {
        let process = SimulationCatalog.processes[deal.process]
        var p = process.advance[min(deal.stage, process.advance.count - 1)]
        p *= DeterministicMath.exp(DeterministicMath.log(deal.winFactor) / Double(deal.stages.count))
        if deal.cycle == .renewal { p += 0.14 }
        return min(0.97, p)
    }

    /// Sets the template fields the target stage requires and the deal lacks.
    func fillFields(_ deal: SimOpportunity, for target: Int, by owner: SimulationIssuer) throws {
        let customer = customers[deal.customer]
        var values: [String: String?] = [:]
        for field in deal.stages[target].requiredFields where !deal.fields.contains(field) {
            let value: String = switch field {
            case "budget": "\(deal.amount / 100) \(currency) approved"
            case "decisionMaker": customer.kind == .organisation ? "\(customer.contacts.first?.name ?? customer.identity.name), \(random.pick(["CEO", "CFO", "Head of IT", "COO"]))" : customer.identity.name
            case "requirements": random.pick(["single sign-on, mail migration, mobile access", "ERP integration and reporting", "hardware roll-out in three sites", "data residency in the EU, 24/7 support"])
            case "proposalSentAt": Clock.dayText(now)
            case "legalReview": random.pick(["framework agreement reviewed by legal", "data processing agreement signed", "standard terms accepted"])
            case "timeline": "go-live in \(random.pick(["Q1", "Q2", "Q3", "Q4"])) \(Clock.civil(now).year + random.int(0...1))"
            default: "confirmed"
            }
            values[field] = .some(value)
            deal.fields.insert(field)
        }
        guard !values.isEmpty else { return }
        try emit(SetOpportunityFields(opportunityId: deal.id, fields: values), by: owner)
    }

    /// A deal entering its quote stage gets a quote, or a fresh revision of the one still open.
    func ensureQuote(_ deal: SimOpportunity) throws {
        guard let q = deal.quote, quotes[q].status == .issued else { return try issueQuote(deal) }
        let quote = quotes[q]
        quote.validUntil = Clock.startOfDay(now) + 31 * Clock.day - 1
        try emit(ReviseQuote(quoteId: quote.id, lines: quote.lines, validUntil: Clock.date(quote.validUntil), reason: "offer renewed"),
                 by: .manager(deal.owner))
        quote.revision += 1
    }

    func issueQuote(_ deal: SimOpportunity) throws {
        let customer = customers[deal.customer]
        guard customer.isCommandable else { return }
        let quote = SimQuote(id: nextId("Q-"), lines: deal.lines, validUntil: Clock.startOfDay(now) + 31 * Clock.day - 1)
        try emit(IssueQuote(quoteId: quote.id, customerId: customer.id, opportunityId: deal.id, lines: quote.lines,
                            validUntil: Clock.date(quote.validUntil)), by: .manager(deal.owner))
        quotes.append(quote)
        deal.quote = quotes.count - 1
        let total = Self.total(quote.lines)
        if total != deal.amount {
            try emit(ChangeOpportunityAmount(opportunityId: deal.id, amount: money(total), reason: "aligned with quote \(quote.id)"), by: .manager(deal.owner))
            deal.amount = total
        }
    }

    /// A further discount agreed in negotiation: a new quote revision and the deal's amount.
    func negotiate(_ deal: SimOpportunity, _ quote: SimQuote) throws {
        let extra = random.int(3...8)
        quote.lines = quote.lines.map { line in
            var line = line
            line.discountPercent = min(40, line.discountPercent + extra)
            return line
        }
        try emit(ReviseQuote(quoteId: quote.id, lines: quote.lines, reason: "additional \(extra) % discount agreed in negotiation"), by: .manager(deal.owner))
        quote.revision += 1
        deal.lines = quote.lines
        let total = Self.total(quote.lines)
        if total != deal.amount {
            try emit(ChangeOpportunityAmount(opportunityId: deal.id, amount: money(total), reason: "negotiated discount"), by: .manager(deal.owner))
            deal.amount = total
        }
    }

    func winDeal(_ o: Int) throws {
        guard let deal = opportunities[o], let q = deal.quote else { return }
        let quote = quotes[q]
        let owner = SimulationIssuer.manager(deal.owner)
        if quote.validUntil < now {
            quote.validUntil = Clock.startOfDay(now) + 15 * Clock.day - 1
            try emit(ReviseQuote(quoteId: quote.id, lines: quote.lines, validUntil: Clock.date(quote.validUntil), reason: "validity extended"), by: owner)
            quote.revision += 1
        }
        try emit(AcceptQuote(quoteId: quote.id), by: owner)
        quote.status = .accepted
        var products: [String] = []
        for line in quote.lines where !products.contains(line.productId) { products.append(line.productId) }
        try emit(WinOpportunity(opportunityId: deal.id, amount: money(Self.total(quote.lines)), productIds: products), by: owner)
        deal.status = .won
        summary.won += 1
        closed(deal, o)
        schedule(office(now + days(1, spread: 0.8)), .placeOrder(o))
    }

    func loseDeal(_ deal: SimOpportunity, reason: String?, competitor: String?, by issuer: SimulationIssuer) throws {
        let reason = reason ?? random.pick(SimulationCatalog.lossReasons)
        if let q = deal.quote, quotes[q].status == .issued {
            try emit(RejectQuote(quoteId: quotes[q].id, reason: reason), by: issuer)
            quotes[q].status = .rejected
        }
        let competitor = competitor ?? (reason == "chose a competitor" || random.chance(0.45) ? random.pick(SimulationCatalog.competitors) : nil)
        try emit(LoseOpportunity(opportunityId: deal.id, reason: reason, competitor: competitor), by: issuer)
        deal.status = .lost
        summary.lost += 1
        let o = deal.index
        closed(deal, o)
        let customer = customers[deal.customer]
        if deal.cycle == .renewal {
            customer.renewalLost = true
            customer.renewalOpen = false
            schedule(office(max(customer.renewalAt ?? now, now + 7 * Clock.day)), .contractEnd(deal.customer))
            opportunities[o] = nil
        } else if !deal.reopened, customer.isActive, random.chance(0.05) {
            schedule(office(now + days(40, spread: 0.5)), .reopenDeal(o))
        } else {
            opportunities[o] = nil
        }
    }

    /// Removes a closed deal from its customer's open deals.
    func closed(_ deal: SimOpportunity, _ o: Int) {
        let customer = customers[deal.customer]
        customer.deals.removeAll { $0 == o }
        customer.openDeals = customer.deals.count
    }

    /// A lost deal comes back: the customer returns after trying the competitor.
    func reopenDeal(_ o: Int) throws {
        guard let deal = opportunities[o], deal.status == .lost else { return }
        let customer = customers[deal.customer]
        guard customer.isActive, customer.isCommandable, customer.openDeals == 0 else {
            opportunities[o] = nil
            return
        }
        try emit(ReopenOpportunity(opportunityId: deal.id, reason: random.pick([
            "customer came back after evaluating a competitor", "budget released after all", "new decision maker wants to continue",
        ])), by: .manager(deal.owner))
        deal.status = .open
        deal.reopened = true
        deal.quote = nil
        customer.deals.append(o)
        customer.openDeals += 1
        schedule(office(now + stageTime(deal)), .dealWork(o))
    }

    // MARK: Orders

    /// The order from the accepted quote of a won deal; the customer's contract follows from it.
    func placeOrder(_ o: Int) throws {
        guard let deal = opportunities[o], deal.status == .won, let q = deal.quote, quotes[q].status == .accepted else { return }
        opportunities[o] = nil
        let customer = customers[deal.customer]
        guard customer.isCommandable else { return }
        let quote = quotes[q]
        let order = SimOrder(id: nextId("SO-"), customer: deal.customer, lines: quote.lines, viaShop: false)
        try emit(PlaceOrder(orderId: order.id, customerId: customer.id, quoteId: quote.id),
                 by: random.chance(0.6) ? .manager(deal.owner) : .system(.erp))
        orders.append(order)
        summary.orders += 1
        bought(customer, Self.total(quote.lines))
        updateContract(customer, deal)
        if random.chance(0.025) {
            schedule(office(now + days(3)), .cancelOrder(orders.count - 1))
        } else {
            schedule(now + days(3, spread: 0.7), .fulfil(orders.count - 1))
        }
    }

    /// A consumer orders in the web shop.
    func shopOrder(_ c: Int) throws {
        let customer = customers[c]
        guard customer.isActive, customer.isCommandable else { return }
        var lines: [SalesLineItem] = []
        for _ in 0..<random.weighted([(1, 0.6), (2, 0.3), (3, 0.1)]) {
            let product = SimulationCatalog.products[random.pick(SimulationCatalog.shop)]
            guard !lines.contains(where: { $0.productId == product.id }) else { continue }
            lines.append(SalesLineItem(productId: product.id, quantity: random.weighted([(1, 0.8), (2, 0.2)]), unitPrice: money(product.price),
                                       discountPercent: random.chance(0.2) ? 10 : 0))
        }
        let order = SimOrder(id: nextId("SO-"), customer: c, lines: lines, viaShop: true)
        try emit(PlaceOrder(orderId: order.id, customerId: customer.id, lines: lines), by: .system(.shop))
        orders.append(order)
        summary.orders += 1
        bought(customer, Self.total(lines))
        if random.chance(0.03) {
            schedule(now + days(0.5), .cancelOrder(orders.count - 1))
        } else {
            schedule(now + days(1.2, spread: 0.5), .fulfil(orders.count - 1))
        }
    }

    func cancelOrder(_ k: Int) throws {
        guard let order = orders[k], order.status == .placed else { return }
        try emit(CancelOrder(orderId: order.id, reason: random.pick(["customer withdrew the order", "item out of stock", "payment declined"])),
                 by: order.viaShop ? .system(.shop) : customers[order.customer].manager.map { .manager($0) } ?? .system(.erp))
        order.status = .cancelled
        orders[k] = nil
    }

    func bought(_ customer: SimCustomer, _ minor: Int64) {
        customer.lastPurchaseAt = now
        customer.revenue.append((now, minor))
        customer.revenue.removeAll { now - $0.at > 400 * Clock.day }
    }

    /// Subscriptions, seats and the next renewal after an order.
    func updateContract(_ customer: SimCustomer, _ deal: SimOpportunity) {
        let licence = deal.lines.first { SimulationCatalog.product($0.productId).map { SimulationCatalog.products[$0].isLicence } ?? false }
        switch deal.cycle {
        case .newBusiness:
            if let licence, let product = SimulationCatalog.product(licence.productId) {
                customer.subscription = (product, licence.quantity)
                customer.renewalAt = Clock.startOfDay(now) + 365 * Clock.day
                customer.renewalLost = false
                schedule(office(customer.renewalAt! - 60 * Clock.day), .renewal(customer.index))
            }
        case .upSell:
            if let licence, let product = SimulationCatalog.product(licence.productId), let current = customer.subscription {
                customer.subscription = product == current.product ? (product, current.users + licence.quantity) : (product, licence.quantity)
            }
        case .renewal:
            customer.renewalOpen = false
            if let licence, let product = SimulationCatalog.product(licence.productId) { customer.subscription = (product, licence.quantity) }
            let next = max(customer.renewalAt ?? now, now) + 365 * Clock.day
            customer.renewalAt = next
            customer.renewalLost = false
            schedule(office(next - 60 * Clock.day), .renewal(customer.index))
        case .crossSell:
            break
        }
    }

    // MARK: Offers

    func licencePlan(for segment: Int) -> Int {
        switch segment {
        case SimulationSegment.keyAccount: random.chance(0.6) ? SimulationCatalog.enterprise : SimulationCatalog.pro
        case SimulationSegment.midMarket: random.chance(0.7) ? SimulationCatalog.pro : SimulationCatalog.basic
        default: random.chance(0.65) ? SimulationCatalog.basic : SimulationCatalog.pro
        }
    }

    /// The lines of an offer for this customer and sales cycle (deal sizes follow the segment).
    func offer(_ customer: SimCustomer, cycle: SalesCycleKind) -> [SalesLineItem] {
        let segment = SimulationSegment.all[customer.segment]
        let discount = random.int(segment.discount)
        func line(_ product: Int, _ quantity: Int, _ discount: Int) -> SalesLineItem {
            SalesLineItem(productId: SimulationCatalog.products[product].id, quantity: max(1, quantity),
                          unitPrice: money(SimulationCatalog.products[product].price), discountPercent: discount)
        }
        func users() -> Int {
            // Log-uniform within the segment's range: many small, a few large customers.
            let low = Double(segment.users.lowerBound), high = Double(segment.users.upperBound)
            return Int((low * DeterministicMath.exp(random.unit() * DeterministicMath.log(high / low))).rounded())
        }
        var lines: [SalesLineItem] = []
        switch cycle {
        case .newBusiness:
            let seats = users()
            lines.append(line(licencePlan(for: customer.segment), seats, discount))
            if customer.segment != SimulationSegment.smb || random.chance(0.35) {
                lines.append(line(SimulationCatalog.onboarding, customer.segment == SimulationSegment.keyAccount ? random.int(2...4) : 1, discount / 2))
            }
            let trainingDays = customer.segment == SimulationSegment.keyAccount ? random.int(2...6)
                : customer.segment == SimulationSegment.midMarket ? (random.chance(0.6) ? random.int(1...3) : 0) : (random.chance(0.25) ? 1 : 0)
            if trainingDays > 0 { lines.append(line(SimulationCatalog.training, trainingDays, discount / 2)) }
            if random.chance(0.2) {
                lines.append(line(SimulationCatalog.laptop, max(1, seats / 6), discount / 2))
                lines.append(line(SimulationCatalog.dock, max(1, seats / 6), discount / 2))
            }
            if customer.segment == SimulationSegment.keyAccount ? random.chance(0.7) : customer.segment == SimulationSegment.midMarket && random.chance(0.25) {
                lines.append(line(SimulationCatalog.support, 1, discount))
            }
        case .upSell:
            let (plan, seats) = customer.subscription ?? (licencePlan(for: customer.segment), users())
            if plan < SimulationCatalog.enterprise, random.chance(0.3) {
                lines.append(line(plan + 1, seats, discount))
            } else {
                lines.append(line(plan, Int((Double(seats) * random.double(0.1...0.4)).rounded()), discount))
            }
        case .crossSell:
            switch random.int(0...3) {
            case 0: lines.append(line(SimulationCatalog.support, 1, discount))
            case 1: lines.append(line(SimulationCatalog.consulting, random.int(2...10), discount / 2))
            case 2: lines.append(line(SimulationCatalog.training, random.int(1...4), discount / 2))
            default:
                let count = max(1, (customer.subscription?.users ?? 10) / random.int(4...10))
                lines.append(line(SimulationCatalog.laptop, count, discount))
                lines.append(line(SimulationCatalog.monitor, count, discount))
            }
        case .renewal:
            let (plan, seats) = customer.subscription ?? (licencePlan(for: customer.segment), users())
            lines.append(line(plan, Int((Double(seats) * random.double(0.9...1.15)).rounded()), discount))
            if customer.segment != SimulationSegment.smb, random.chance(0.4) { lines.append(line(SimulationCatalog.support, 1, discount)) }
        }
        return lines
    }

    /// The sum of the lines' totals, rounded as `Money.lineTotal` rounds.
    static func total(_ lines: [SalesLineItem]) -> Int64 {
        lines.reduce(0) { sum, line in sum + (line.unitPrice.minorUnits * Int64(line.quantity) * Int64(100 - line.discountPercent) + 50) / 100 }
    }
}
