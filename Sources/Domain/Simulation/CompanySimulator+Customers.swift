import Foundation

// Customers: who they are, how they arrive (migration, direct registration, duplicates), what
// the company records about them over time, and how they leave and come back.
extension SimulationRun {
    /// A new customer's identity and behaviour, not yet registered.
    func newCustomer(segment: Int, team: Int, channel: AcquisitionChannel) -> SimCustomer {
        let region = settings.teams[team].region
        let isPerson = segment == SimulationSegment.consumer || (segment == SimulationSegment.smb && random.chance(0.12))
        let identity: SimulationPeople.Identity
        let industry: String
        if isPerson {
            identity = people.person(region: region)
            industry = segment == SimulationSegment.consumer ? "private" : random.pick(SimulationPeople.industries).name
        } else {
            (identity, industry) = people.organisation(region: region)
        }
        let habit = random.weighted([(PayerHabit.prompt, 0.7), (.slow, 0.2), (.erratic, 0.08), (.bad, 0.02)])
        let segmentInfo = SimulationSegment.all[segment]
        let tier = ["gold", "silver", "bronze", "standard"][segment]
        let customer = SimCustomer(index: customers.count, id: nextId("C"), kind: isPerson ? .person : .organisation, identity: identity,
                                   segment: segment, team: team, industry: industry, size: random.pick(segmentInfo.sizes), tier: tier,
                                   acquiredAt: now, habit: habit, channel: channel)
        customers.append(customer)
        return customer
    }

    /// The base the company already had: migrated with its classification, manager, contacts
    /// and consents by the administrator's import tool.
    func migrate(_ c: Int) throws {
        let customer = customers[c]
        customer.acquiredAt = now
        try emit(RegisterCustomer(customerId: customer.id, kind: customer.kind, name: customer.identity.name,
                                  organisation: customer.identity.organisation, email: customer.identity.email,
                                  phone: customer.identity.phone, address: customer.identity.address, channel: .importFile),
                 by: .migration, reason: "migration from the previous CRM")
        summary.customers += 1
        try classify(customer, by: .migration)
        if customer.segment != SimulationSegment.consumer {
            try assignManager(customer, leastLoadedManager(team: customer.team), by: .migration)
            try addContact(customer, by: .migration, role: "Main contact", person: (customer.identity.name, customer.identity.email, customer.identity.phone))
        }
        if random.chance(0.5) { try consent(customer, "newsletter", true, by: .migration) }
        if customer.segment == SimulationSegment.keyAccount { try tag(customer, "vip", by: .migration) }
        // The base bought before go-live: a subscription with its anniversary some time this year.
        customer.lastPurchaseAt = now - Int64(random.int(20...330)) * Clock.day
        if customer.segment != SimulationSegment.consumer {
            customer.subscription = (licencePlan(for: customer.segment), random.int(SimulationSegment.all[customer.segment].users))
            let anniversary = now + Int64(random.int(30...395)) * Clock.day
            customer.renewalAt = anniversary
            schedule(office(anniversary - 60 * Clock.day), .renewal(c))
        }
        addToPool(customer)
    }

    /// A registration through one of the direct channels: the shop, the phone, e-mail, a walk-in,
    /// a partner, social media.
    func register(_ c: Int) throws {
        let customer = customers[c]
        customer.acquiredAt = now
        let issuer: SimulationIssuer
        switch customer.channel {
        case .webForm: issuer = .system(.shop)
        case .phone, .email: issuer = .agent(random.int(0...(staff.agents.count - 1)))
        case .social: issuer = .marketing
        case .walkIn: issuer = .manager(leastLoadedManager(team: customer.team), mobile: true)
        default: issuer = .manager(leastLoadedManager(team: customer.team))
        }
        try emit(RegisterCustomer(customerId: customer.id, kind: customer.kind, name: customer.identity.name,
                                  organisation: customer.identity.organisation, email: customer.identity.email,
                                  phone: customer.identity.phone, address: customer.identity.address, channel: customer.channel),
                 by: issuer)
        summary.customers += 1
        schedule(now + minutes(25, spread: 0.8), .onboard(c))
        if customer.segment == SimulationSegment.consumer {
            if random.chance(0.85) { schedule(now + minutes(6), .shopOrder(c)) }
        } else {
            schedule(office(now + days(2)), .firstDeal(c))
        }
    }

    /// Classification, manager, contacts, consents and tags right after a registration.
    func onboard(_ c: Int) throws {
        let customer = customers[c]
        guard customer.isCommandable else { return }
        if customer.segment == SimulationSegment.consumer {
            try classify(customer, by: .system(.scheduler))
            if random.chance(0.4) { try consent(customer, "newsletter", true, by: .system(.shop)) }
        } else {
            let m = customer.manager ?? customer.intendedManager ?? leastLoadedManager(team: customer.team)
            try classify(customer, by: .manager(m))
            try assignManager(customer, m, by: .manager(m))
            if customer.kind == .organisation {
                try addContact(customer, by: .manager(m), role: random.pick(["Managing director", "Head of IT", "Purchasing", "Office manager"]),
                               person: (customer.identity.name, customer.identity.email, customer.identity.phone))
                if random.chance(0.35) { try addContact(customer, by: .manager(m), role: nil, person: nil) }
            }
            if random.chance(0.55) { try consent(customer, "newsletter", true, by: .manager(m)) }
            if random.chance(0.15) { try consent(customer, "phone-marketing", true, by: .manager(m)) }
            if customer.segment == SimulationSegment.keyAccount { try tag(customer, "vip", by: .manager(m)) }
            if random.chance(0.6) { schedule(office(now + days(2)), .assignTask(c, .email)) }
        }
        addToPool(customer)
    }

    // MARK: Duplicates

    /// A deliberate duplicate of an existing customer, or nil when there is none to copy.
    func newDuplicate() -> Int? {
        var candidates: [Int] = []
        for pool in pools where pool.count > 0 { candidates.append(pool.members[random.int(0...(pool.count - 1))]) }
        guard !candidates.isEmpty else { return nil }
        let original = customers[random.pick(candidates)]
        guard let (identity, matched) = people.duplicate(of: original.identity) else { return nil }
        let duplicate = SimCustomer(index: customers.count, id: nextId("C"), kind: original.kind, identity: identity, segment: original.segment,
                                    team: original.team, industry: original.industry, size: original.size, tier: original.tier,
                                    acquiredAt: now, habit: original.habit,
                                    channel: original.segment == SimulationSegment.consumer ? .webForm : random.pick([.webForm, .phone, .event]))
        duplicate.duplicateOf = original.index
        duplicate.matchedOn = matched
        customers.append(duplicate)
        return duplicate.index
    }

    /// The duplicate is registered anyway (the shop or the desk cannot ask who it is); someone
    /// merges it into the original within weeks.
    func registerDuplicate(_ c: Int) throws {
        let duplicate = customers[c]
        guard let original = duplicate.duplicateOf, customers[original].isCommandable else { return }
        let issuer: SimulationIssuer = duplicate.channel == .webForm ? .system(.shop)
            : duplicate.channel == .phone ? .agent(random.int(0...(staff.agents.count - 1))) : .manager(leastLoadedManager(team: duplicate.team), mobile: true)
        try emit(RegisterCustomer(customerId: duplicate.id, kind: duplicate.kind, name: duplicate.identity.name,
                                  organisation: duplicate.identity.organisation, email: duplicate.identity.email,
                                  phone: duplicate.identity.phone, address: duplicate.identity.address, channel: duplicate.channel,
                                  registerAnyway: true), by: issuer)
        summary.customers += 1
        summary.duplicates += 1
        schedule(office(now + days(9, spread: 0.8)), .merge(c))
    }

    func merge(_ c: Int) throws {
        let duplicate = customers[c]
        guard let o = duplicate.duplicateOf, !duplicate.isAbsorbed else { return }
        let original = customers[o]
        guard original.isCommandable else { return }
        let issuer: SimulationIssuer = original.manager.map { .manager($0) } ?? .agent(random.int(0...(staff.agents.count - 1)))
        try emit(.mergeCustomers(MergeCustomers(survivorId: original.id, absorbedId: duplicate.id,
                                                reason: "duplicate registration: same \(duplicate.matchedOn ?? "details") as \(original.id)")),
                 by: issuer, reason: "duplicate review")
        duplicate.isAbsorbed = true
        summary.merged += 1
        if random.chance(0.3), duplicate.identity.address != original.identity.address {
            // The newer registration had the current address.
            try emit(ChangeCustomerProfile(customerId: original.id, fields: ["address": duplicate.identity.address]), by: issuer)
            original.identity.address = duplicate.identity.address
        }
    }

    // MARK: Records about the customer

    func classify(_ customer: SimCustomer, by issuer: SimulationIssuer) throws {
        let classification = Classification(segment: SimulationSegment.all[customer.segment].name, region: settings.teams[customer.team].region,
                                            industry: customer.industry, size: customer.size, tier: customer.tier)
        guard classification != customer.classification else { return }
        try emit(ClassifyCustomer(customerId: customer.id, classification: classification), by: issuer)
        customer.classification = classification
    }

    func assignManager(_ customer: SimCustomer, _ m: Int, by issuer: SimulationIssuer) throws {
        guard customer.manager != m else { return }
        try emit(AssignCustomerManager(customerId: customer.id, managerId: staff.managers[m].id), by: issuer)
        if let previous = customer.manager { managerLoad[previous] -= 1 }
        customer.manager = m
        managerLoad[m] += 1
    }

    func addContact(_ customer: SimCustomer, by issuer: SimulationIssuer, role: String?, person: (String, String?, String?)?) throws {
        let (name, email, phone) = person ?? people.contact(at: customer.identity.email)
        let id = nextId("CT-")
        let role = role ?? random.pick(["Accounts payable", "Project lead", "IT administrator", "Team assistant", "CFO"])
        try emit(AddContact(customerId: customer.id, contactId: id, name: name, email: email, phone: phone, role: role), by: issuer)
        customer.contacts.append((id, name, role))
    }

    func consent(_ customer: SimCustomer, _ purpose: String, _ given: Bool, by issuer: SimulationIssuer) throws {
        guard customer.consents.contains(purpose) != given else { return }
        try emit(RecordConsent(customerId: customer.id, purpose: purpose, given: given), by: issuer)
        if given { customer.consents.append(purpose) } else { customer.consents.removeAll { $0 == purpose } }
    }

    func tag(_ customer: SimCustomer, _ tag: String, by issuer: SimulationIssuer, tagged: Bool = true) throws {
        guard customer.tags.contains(tag) != tagged else { return }
        try emit(TagCustomer(customerId: customer.id, tag: tag, tagged: tagged), by: issuer)
        if tagged { customer.tags.append(tag) } else { customer.tags.removeAll { $0 == tag } }
    }

    func untag(_ c: Int, _ name: String) throws {
        let customer = customers[c]
        guard customer.isCommandable else { return }
        try tag(customer, name, by: customer.manager.map { .manager($0) } ?? .agent(0), tagged: false)
    }

    /// A routine contact: the manager calls, writes or visits; consumers call the service line.
    func routineInteraction(_ c: Int) throws {
        let customer = customers[c]
        guard customer.isActive, customer.isCommandable else { return }
        guard let m = customer.manager else {
            try interaction(customer, channel: random.chance(0.7) ? .call : .email, direction: .inbound,
                            by: random.chance(0.7) ? .system(.telephony) : .agent(random.int(0...(staff.agents.count - 1))),
                            subject: random.pick(["Question about my order", "Delivery status", "Invoice copy requested", "Product advice"]))
            return
        }
        let channel = random.weighted([(InteractionChannel.call, 0.45), (.email, 0.3), (.meeting, 0.15), (.chat, 0.03), (.social, 0.02), (.webForm, 0.05)])
        let deal = customer.deals.isEmpty || random.chance(0.5) ? nil : opportunities[customer.deals[0]]?.id
        switch channel {
        case .webForm:
            try interaction(customer, channel: .webForm, direction: .inbound, by: .system(.webForms), subject: "Contact form: request for a call back")
        case .call where random.chance(0.3):
            try interaction(customer, channel: .call, direction: .inbound, by: .system(.telephony), subject: "Customer called the account manager", opportunity: deal)
        default:
            let visit = channel == .meeting
            try interaction(customer, channel: channel, direction: .outbound, by: .manager(m, mobile: visit && random.chance(0.7)),
                            subject: random.pick(["Account check-in", "Usage review", "Roadmap presentation", "Feedback on recent delivery",
                                                  "Licence utilisation", "Introduce new product features"]), opportunity: deal)
            if visit || random.chance(0.25) {
                let activity: WorkActivityKind = visit ? (random.chance(0.6) ? .visit : .meeting) : channel == .email ? .email : .call
                try logWork(m, customer: c, activity: activity, minutes: visit ? 60 + random.int(0...12) * 10 : 5 + random.int(0...5) * 5,
                            note: visit ? "Customer meeting: \(customer.identity.organisation ?? customer.identity.name)" : "Account follow-up",
                            mobile: visit)
            }
        }
    }

    /// Logs one interaction (`InteractionLogged` on the customer's stream).
    func interaction(_ customer: SimCustomer, channel: InteractionChannel, direction: Direction, by issuer: SimulationIssuer, subject: String,
                     case caseId: String? = nil, opportunity: String? = nil, campaign: String? = nil, outcome: String? = nil) throws {
        guard customer.isCommandable else { return }
        let duration: Int? = switch channel {
        case .call: 30 + Int(random.logNormal(median: 300, sigma: 0.8))
        case .meeting: (3 + random.int(0...6)) * 15 * 60
        case .chat: 60 + random.int(0...900)
        default: nil
        }
        let outcome = outcome ?? {
            switch channel {
            case .call: random.weighted([("reached", 0.62), ("voicemail", 0.23), ("no-answer", 0.15)])
            case .email: direction == .inbound ? "received" : random.weighted([("sent", 0.7), ("replied", 0.3)])
            case .meeting: random.weighted([("held", 0.88), ("rescheduled", 0.12)])
            case .webForm: "submitted"
            case .chat: "answered"
            case .social: "replied"
            }
        }()
        let contact = customer.contacts.isEmpty || random.chance(0.4) ? nil : random.pick(customer.contacts).id
        try emit(LogInteraction(customerId: customer.id, interactionId: nextId("INT-", width: 7), channel: channel, direction: direction,
                                durationSeconds: duration.map { min($0, 86_400) }, outcome: outcome, subject: subject, contactId: contact,
                                caseId: caseId, opportunityId: opportunity, campaignId: campaign), by: issuer)
    }

    /// A customer moves or changes e-mail address.
    func profileChange(_ c: Int) throws {
        let customer = customers[c]
        guard customer.isActive, customer.isCommandable else { return }
        let issuer: SimulationIssuer = customer.manager.map { .manager($0) } ?? .agent(random.int(0...(staff.agents.count - 1)))
        if random.chance(0.6) || customer.identity.email == nil {
            let address = people.newAddress(region: settings.teams[customer.team].region)
            guard address != customer.identity.address else { return }
            try emit(ChangeCustomerProfile(customerId: customer.id, fields: ["address": address]), by: issuer)
            customer.identity.address = address
        } else if let email = people.newEmail(for: customer.identity.name, organisation: customer.identity.organisation) {
            try emit(ChangeCustomerProfile(customerId: customer.id, fields: ["email": email]), by: issuer)
            customer.identity.email = email
        }
    }

    /// A company's contact people come, change roles, and leave.
    func contactChange(_ c: Int) throws {
        let customer = customers[c]
        guard customer.isActive, customer.isCommandable, customer.kind == .organisation, let m = customer.manager else { return }
        if customer.contacts.count < 2 || (customer.contacts.count < 5 && random.chance(0.4)) {
            try addContact(customer, by: .manager(m), role: nil, person: nil)
        } else if random.chance(0.3) {
            // Someone other than the main contact left the company.
            let index = random.int(1...(customer.contacts.count - 1))
            try emit(RemoveContact(customerId: customer.id, contactId: customer.contacts[index].id), by: .manager(m))
            customer.contacts.remove(at: index)
        } else {
            let index = random.int(0...(customer.contacts.count - 1))
            let contact = customer.contacts[index]
            let roles = ["Head of purchasing", "Chief operating officer", "IT lead", "Finance manager", "Project manager"].filter { $0 != contact.role }
            if random.chance(0.5) {
                let role = random.pick(roles)
                try emit(ChangeContact(customerId: customer.id, contactId: contact.id, fields: ["role": role]), by: .manager(m))
                customer.contacts[index].role = role
            } else {
                try emit(ChangeContact(customerId: customer.id, contactId: contact.id,
                                       fields: ["phone": "+49 \(random.int(150...179)) \(random.int(1_000_000...99_999_999))"]), by: .manager(m))
            }
        }
    }

    func consentChange(_ c: Int) throws {
        let customer = customers[c]
        guard customer.isActive, customer.isCommandable else { return }
        let issuer: SimulationIssuer = customer.segment == SimulationSegment.consumer ? .system(.shop) : .system(.webForms)
        try consent(customer, "newsletter", !customer.consents.contains("newsletter"), by: issuer)
    }

    // MARK: Churn and win-back

    func deactivate(_ c: Int, reason: String) throws {
        let customer = customers[c]
        guard customer.isActive, customer.isCommandable else { return }
        let issuer: SimulationIssuer = customer.manager.map { .manager($0) } ?? .system(.scheduler)
        for o in customer.deals {
            guard let deal = opportunities[o], deal.status == .open else { continue }
            try loseDeal(deal, reason: "customer left", competitor: nil, by: issuer)
        }
        try emit(SetCustomerActive(customerId: customer.id, active: false, reason: reason), by: issuer)
        customer.isActive = false
        customer.churnedAt = now
        summary.churned += 1
        removeFromPool(customer)
        inactive.append(c)
        for t in customer.tasks {
            guard let task = tasks[t], task.status == .open else { continue }
            try cancelTask(t, reason: "customer deactivated")
        }
    }

    /// The customer's contract ends without renewal.
    func contractEnd(_ c: Int) throws {
        let customer = customers[c]
        guard customer.renewalLost, customer.isActive else { return }
        customer.subscription = nil
        customer.renewalAt = nil
        try deactivate(c, reason: "contract not renewed")
    }

    /// A former customer comes back: reactivated, with a new deal to win.
    func winBack(_ c: Int, campaign: Int?) throws {
        let customer = customers[c]
        guard !customer.isActive, customer.isCommandable else { return }
        let m = customer.manager ?? leastLoadedManager(team: customer.team)
        try emit(SetCustomerActive(customerId: customer.id, active: true,
                                   reason: campaign == nil ? "win-back: customer asked for a new offer" : "win-back campaign response"),
                 by: .manager(m))
        customer.isActive = true
        customer.churnedAt = nil
        customer.renewalLost = false
        customer.complaints = []
        inactive.removeAll { $0 == c }
        summary.wonBack += 1
        addToPool(customer)
        if customer.manager == nil, customer.segment != SimulationSegment.consumer { try assignManager(customer, m, by: .manager(m)) }
        if customer.segment == SimulationSegment.consumer {
            schedule(now + days(3), .shopOrder(c))
        } else {
            try openDeal(customer, cycle: customer.lastPurchaseAt == nil ? .newBusiness : .renewal, campaign: campaign, winBack: true)
        }
    }
}
