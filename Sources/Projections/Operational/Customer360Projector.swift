import Domain
import EventStore
import Foundation

/// The customer 360 view and the customer list: one projector, because the list's index keys are
/// made of the same record (name, classification, manager, state, tags, outstanding balance).
///
/// Merges (`CustomerMerged` / `CustomerAbsorbed`, handled once whichever comes first): the
/// survivor's 360 takes over the absorbed customer's open opportunities, open cases, balances,
/// purchase evidence and recent interactions; events that later arrive for the absorbed
/// customer's invoices, opportunities, cases or interactions are routed to the survivor by
/// following `mergedInto`. Profile, contacts, tags and consent are not merged (the domain keeps
/// them on the absorbed stream). The absorbed customer's own 360 still answers, with
/// `mergedInto` set, its profile and own interactions, and empty operational lists; it leaves
/// the customer list.
///
/// Erasure (`SubjectErased`): an erased customer's profile, its contacts, the subjects of its
/// interactions (in its own list and in its survivors'), the subjects of its cases and the titles
/// of its erased opportunities read `erased`; balances, states, dates and ids stay.
public struct Customer360Projector: Projector {
    static let customers = ReadModelTable<CustomerRecord>("customers")
    static let interactions = ReadModelTable<[CustomerInteraction]>("interactions")
    static let opportunities = ReadModelTable<CustomerOpportunity>("opportunities")
    static let cases = ReadModelTable<CustomerCase>("cases")
    static let invoices = ReadModelTable<InvoiceBalanceState>("invoices")
    static let orders = ReadModelTable<OrderPurchaseState>("orders")
    /// `facet \0 value \0 sort \0 sort value \0 customer id` → 1.
    static let listIndex = ReadModelTable<Int>("listIndex")
    /// Customer id → the ids of the cases opened for it, sorted (finds them on erasure).
    static let customerCases = ReadModelTable<[String]>("customerCases")

    public var name: String
    /// 2: interactions reported by integrations (`ExternalInteractionRecorded`) are listed too.
    /// 3: erasures (`SubjectErased`), and the cases of each customer (`customerCases`).
    public var version: Int { 3 }
    /// The currency whose outstanding balance the list sorts by.
    public let listCurrency: String

    /// - Parameter listCurrency: the currency of the outstanding-balance sort (other currencies
    ///   are shown but do not sort).
    public init(name: String = "customer360", listCurrency: String = DomainConfiguration.standard.defaultCurrency) {
        self.name = name
        self.listCurrency = listCurrency
    }

    public var tables: [String] {
        [Self.customers.name, Self.interactions.name, Self.opportunities.name, Self.cases.name,
         Self.invoices.name, Self.orders.name, Self.listIndex.name, Self.customerCases.name]
    }

    public var eventTypes: Set<String>? {
        let types: [any DomainEvent.Type] = [
            CustomerRegistered.self, CustomerProfileChanged.self, CustomerClassified.self, CustomerManagerAssigned.self,
            ContactAdded.self, ContactChanged.self, ContactRemoved.self, ConsentGiven.self, ConsentWithdrawn.self,
            CustomerDeactivated.self, CustomerReactivated.self, CustomerTagged.self, CustomerUntagged.self,
            CustomerMerged.self, CustomerAbsorbed.self, InteractionLogged.self, ExternalInteractionRecorded.self,
            OpportunityOpened.self, OpportunityStageChanged.self, OpportunityAmountChanged.self,
            OpportunityCloseDateChanged.self, OpportunityWon.self, OpportunityLost.self, OpportunityReopened.self,
            OrderPlaced.self, OrderCancelled.self,
            InvoiceIssued.self, InvoicePaymentReceived.self, InvoiceSettled.self, InvoiceMarkedOverdue.self, InvoiceWrittenOff.self,
            CaseOpened.self, CaseStatusChanged.self, CaseResolved.self, CaseReopened.self, CaseClosed.self,
            SubjectErased.self,
        ]
        return Set(types.map { $0.eventType })
    }

    public func apply(_ event: ProjectedEvent, to batch: inout ReadModelBatch) throws {
        switch event.payload {
        case let e as CustomerRegistered:
            let before = CustomerListFacets(try batch.get(Self.customers, e.customerId), listCurrency: listCurrency)
            let record = CustomerRecord(customerId: e.customerId, kind: e.kind, name: e.name, organisation: e.organisation,
                                        email: e.email, phone: e.phone, address: e.address, channel: e.channel,
                                        sourceCampaignId: e.sourceCampaignId, registeredAt: e.occurredAt)
            try batch.put(Self.customers, e.customerId, record)
            try reindex(before, CustomerListFacets(record, listCurrency: listCurrency), &batch)
        case let e as CustomerProfileChanged:
            try change(e.customerId, &batch) { record in
                for change in e.changes {
                    switch change.field {
                    case "name": record.name = change.new ?? record.name
                    case "organisation": record.organisation = change.new
                    case "email": record.email = change.new
                    case "phone": record.phone = change.new
                    case "address": record.address = change.new
                    default: break
                    }
                }
            }
        case let e as CustomerClassified:
            try change(e.customerId, &batch) { $0.classification = e.classification }
        case let e as CustomerManagerAssigned:
            try change(e.customerId, &batch) { $0.managerId = e.managerId }
        case let e as ContactAdded:
            try change(e.customerId, &batch) {
                $0.contacts[e.contactId] = CustomerContact(contactId: e.contactId, name: e.name, email: e.email, phone: e.phone, role: e.role)
            }
        case let e as ContactChanged:
            try change(e.customerId, &batch) { record in
                guard var contact = record.contacts[e.contactId] else { return }
                for change in e.changes {
                    switch change.field {
                    case "name": contact.name = change.new ?? ""
                    case "email": contact.email = change.new
                    case "phone": contact.phone = change.new
                    case "role": contact.role = change.new
                    default: break
                    }
                }
                record.contacts[e.contactId] = contact
            }
        case let e as ContactRemoved:
            try change(e.customerId, &batch) { $0.contacts[e.contactId] = nil }
        case let e as ConsentGiven:
            try change(e.customerId, &batch) { CustomerRecord.insert(e.purpose, into: &$0.consents) }
        case let e as ConsentWithdrawn:
            try change(e.customerId, &batch) { CustomerRecord.remove(e.purpose, from: &$0.consents) }
        case let e as CustomerDeactivated:
            try change(e.customerId, &batch) { $0.isActive = false }
        case let e as CustomerReactivated:
            try change(e.customerId, &batch) { $0.isActive = true }
        case let e as CustomerTagged:
            try change(e.customerId, &batch) { CustomerRecord.insert(e.tag, into: &$0.tags) }
        case let e as CustomerUntagged:
            try change(e.customerId, &batch) { CustomerRecord.remove(e.tag, from: &$0.tags) }
        case let e as CustomerMerged:
            try merge(absorbed: e.absorbedId, into: e.customerId, &batch)
        case let e as CustomerAbsorbed:
            try merge(absorbed: e.customerId, into: e.survivorId, &batch)
        case let e as InteractionLogged:
            try logInteraction(CustomerInteraction(
                interactionId: e.interactionId, customerId: e.customerId, occurredAt: e.occurredAt, channel: e.channel,
                direction: e.direction, outcome: e.outcome, subject: e.subject, caseId: e.caseId,
                opportunityId: e.opportunityId, campaignId: e.campaignId, position: event.position), &batch)
        case let e as ExternalInteractionRecorded:
            // Listed like a logged interaction, under an id that names the reporting system.
            try logInteraction(CustomerInteraction(
                interactionId: "\(e.system):\(e.externalId)", customerId: e.customerId, occurredAt: e.occurredAt, channel: e.channel,
                direction: e.direction, outcome: e.outcome, subject: e.subject, caseId: nil, opportunityId: nil, campaignId: nil,
                position: event.position), &batch)
        case let e as OpportunityOpened:
            let opportunity = CustomerOpportunity(opportunityId: e.opportunityId, customerId: e.customerId, title: e.title,
                                                  stage: e.stage, amount: e.amount, expectedCloseDate: e.expectedCloseDate, status: .open)
            try batch.put(Self.opportunities, e.opportunityId, opportunity)
            try changeOwner(of: e.customerId, &batch) { CustomerRecord.insert(e.opportunityId, into: &$0.openOpportunityIds) }
        case let e as OpportunityStageChanged:
            try batch.modify(Self.opportunities, e.opportunityId) { $0.stage = e.toStage }
        case let e as OpportunityAmountChanged:
            try batch.modify(Self.opportunities, e.opportunityId) { $0.amount = e.newAmount }
        case let e as OpportunityCloseDateChanged:
            try batch.modify(Self.opportunities, e.opportunityId) { $0.expectedCloseDate = e.newDate }
        case let e as OpportunityWon:
            try setOutcome(e.opportunityId, .won, at: e.occurredAt, &batch)
        case let e as OpportunityLost:
            try setOutcome(e.opportunityId, .lost, at: e.occurredAt, &batch)
        case let e as OpportunityReopened:
            try setOutcome(e.opportunityId, .open, at: e.occurredAt, &batch)
        case let e as OrderPlaced:
            try batch.put(Self.orders, e.orderId, OrderPurchaseState(customerId: e.customerId, cancelled: false))
            try changeOwner(of: e.customerId, &batch) { $0.addPurchase(at: e.occurredAt) }
        case let e as OrderCancelled:
            guard var order = try batch.get(Self.orders, e.orderId), !order.cancelled else { return }
            order.cancelled = true
            try batch.put(Self.orders, e.orderId, order)
            try changeOwner(of: order.customerId, &batch) { $0.purchaseEvidence -= 1 }
        case let e as InvoiceIssued:
            let invoice = InvoiceBalanceState(customerId: e.customerId, currency: e.total.currency, outstanding: e.total.minorUnits,
                                              overdue: false, settled: false)
            try batch.put(Self.invoices, e.invoiceId, invoice)
            try changeOwner(of: e.customerId, &batch) { record in
                record.balances[invoice.currency, default: CustomerBalance()].invoiced += e.total.minorUnits
                record.balances[invoice.currency, default: CustomerBalance()].outstanding += e.total.minorUnits
            }
        case let e as InvoicePaymentReceived:
            try changeInvoice(e.invoiceId, &batch) { invoice, balance in
                balance.paid += e.amount.minorUnits
                invoice.outstanding = e.outstanding.minorUnits
            }
        case let e as InvoiceMarkedOverdue:
            try changeInvoice(e.invoiceId, &batch) { invoice, _ in invoice.overdue = true }
        case let e as InvoiceWrittenOff:
            try changeInvoice(e.invoiceId, &batch) { invoice, balance in
                balance.writtenOff += e.amount.minorUnits
                invoice.outstanding = 0
            }
        case let e as InvoiceSettled:
            guard var invoice = try batch.get(Self.invoices, e.invoiceId), !invoice.settled else { return }
            invoice.settled = true
            try batch.put(Self.invoices, e.invoiceId, invoice)
            try changeOwner(of: invoice.customerId, &batch) { $0.addPurchase(at: e.occurredAt) }
        case let e as CaseOpened:
            let item = CustomerCase(caseId: e.caseId, customerId: e.customerId, priority: e.priority, status: .open,
                                    openedAt: e.occurredAt, isComplaint: e.isComplaint, subject: e.subject)
            try batch.put(Self.cases, e.caseId, item)
            try batch.update(Self.customerCases, e.customerId, default: []) { CustomerRecord.insert(e.caseId, into: &$0) }
            try changeOwner(of: e.customerId, &batch) { CustomerRecord.insert(e.caseId, into: &$0.openCaseIds) }
        case let e as CaseStatusChanged:
            try setCaseStatus(e.caseId, e.to, &batch)
        case let e as CaseResolved:
            try setCaseStatus(e.caseId, .resolved, &batch)
        case let e as CaseReopened:
            try setCaseStatus(e.caseId, .open, &batch)
        case let e as CaseClosed:
            try setCaseStatus(e.caseId, .closed, &batch)
        case let e as SubjectErased:
            try erase(ErasedSubjects(e), recordedOn: event.envelope.stream, &batch)
        default:
            break
        }
    }

    // MARK: Customer records and the list index

    /// Changes the record of `customerId` itself (no merge routing) and its list entries.
    func change(_ customerId: String, _ batch: inout ReadModelBatch, _ body: (inout CustomerRecord) -> Void) throws {
        guard var record = try batch.get(Self.customers, customerId) else { return }
        let before = CustomerListFacets(record, listCurrency: listCurrency)
        body(&record)
        try batch.put(Self.customers, customerId, record)
        try reindex(before, CustomerListFacets(record, listCurrency: listCurrency), &batch)
    }

    /// The customer whose 360 shows items of `customerId`: itself, or the survivor it was merged into.
    func owner(of customerId: String, _ batch: ReadModelBatch) throws -> String? {
        var id = customerId
        for _ in 0..<64 {
            guard let record = try batch.get(Self.customers, id) else { return nil }
            guard let next = record.mergedInto else { return id }
            id = next
        }
        return id
    }

    /// Changes the record of the customer whose 360 shows items of `customerId`.
    func changeOwner(of customerId: String, _ batch: inout ReadModelBatch, _ body: (inout CustomerRecord) -> Void) throws {
        guard let owner = try owner(of: customerId, batch) else { return }
        try change(owner, &batch, body)
    }

    /// Rewrites the index keys that differ between two states of a customer.
    func reindex(_ before: CustomerListFacets, _ after: CustomerListFacets, _ batch: inout ReadModelBatch) throws {
        guard before != after else { return }
        let sorts = after.changedSorts(from: before)
        let old = before.keys(for: sorts), new = after.keys(for: sorts)
        for key in old.subtracting(new) { try batch.delete(Self.listIndex, key) }
        for key in new.subtracting(old) { try batch.put(Self.listIndex, key, 1) }
    }

    // MARK: Merges

    func merge(absorbed absorbedId: String, into survivorId: String, _ batch: inout ReadModelBatch) throws {
        guard var absorbed = try batch.get(Self.customers, absorbedId), absorbed.mergedInto == nil,
              absorbedId != survivorId, try batch.get(Self.customers, survivorId) != nil else { return }
        let moved = absorbed
        absorbed.mergedInto = survivorId
        absorbed.openOpportunityIds = []
        absorbed.openCaseIds = []
        absorbed.balances = [:]
        absorbed.purchaseEvidence = 0
        absorbed.firstPurchaseAt = nil
        try batch.put(Self.customers, absorbedId, absorbed)
        try reindex(CustomerListFacets(moved, listCurrency: listCurrency), CustomerListFacets(absorbed, listCurrency: listCurrency), &batch)
        try change(survivorId, &batch) { survivor in
            survivor.absorbedIds.append(absorbedId)
            for id in moved.openOpportunityIds { CustomerRecord.insert(id, into: &survivor.openOpportunityIds) }
            for id in moved.openCaseIds { CustomerRecord.insert(id, into: &survivor.openCaseIds) }
            for (currency, balance) in moved.balances { survivor.balances[currency, default: CustomerBalance()].add(balance) }
            survivor.purchaseEvidence += moved.purchaseEvidence
            if let first = moved.firstPurchaseAt, survivor.firstPurchaseAt.map({ first < $0 }) ?? true { survivor.firstPurchaseAt = first }
        }
        let absorbedRecent = try batch.get(Self.interactions, absorbedId) ?? []
        if !absorbedRecent.isEmpty {
            let survivorRecent = try batch.get(Self.interactions, survivorId) ?? []
            let merged = (survivorRecent + absorbedRecent).sorted(by: CustomerInteraction.newerFirst).prefix(CustomerInteraction.kept)
            try batch.put(Self.interactions, survivorId, Array(merged))
        }
    }

    // MARK: Erasure

    /// Replaces the personal values of the erased subjects with the marker.
    func erase(_ erased: ErasedSubjects, recordedOn stream: String, _ batch: inout ReadModelBatch) throws {
        // A contact lives in the record of the customer it was added to, on whose stream its
        // erasure is recorded; an erased customer's contacts go with it.
        var holders = erased.customers
        let customerStream = Customer.stream("")
        if stream.hasPrefix(customerStream) { holders.insert(String(stream.dropFirst(customerStream.count))) }
        for id in holders.sorted() {
            let whole = erased.customers.contains(id)
            try change(id, &batch) { record in
                if whole { record.erasePersonalData() }
                for (contactId, contact) in record.contacts where whole || erased.contacts.contains(contactId) {
                    record.contacts[contactId] = contact.erased
                }
            }
        }
        for id in erased.customers.sorted() {
            // Interactions: in the customer's own list and, copied by merges, in its survivors'.
            var holder: String? = id
            var seen: Set<String> = []
            while let current = holder, seen.insert(current).inserted {
                try batch.modify(Self.interactions, current) { recent in
                    for index in recent.indices where recent[index].customerId == id {
                        recent[index].subject = ErasedSubjects.erase(recent[index].subject)
                    }
                }
                holder = try batch.get(Self.customers, current)?.mergedInto
            }
            for caseId in try batch.get(Self.customerCases, id) ?? [] {
                try batch.modify(Self.cases, caseId) { $0.subject = ErasedSubjects.marker }
            }
        }
        for id in erased.opportunities.sorted() {
            try batch.modify(Self.opportunities, id) { $0.title = ErasedSubjects.marker }
        }
    }

    // MARK: Interactions, opportunities, invoices, cases

    /// Keeps `item` among its customer's (or the survivor's) most recent interactions.
    func logInteraction(_ item: CustomerInteraction, _ batch: inout ReadModelBatch) throws {
        guard let owner = try owner(of: item.customerId, batch) else { return }
        try batch.update(Self.interactions, owner, default: []) { recent in
            let index = recent.firstIndex { CustomerInteraction.newerFirst(item, $0) } ?? recent.count
            guard index < CustomerInteraction.kept else { return }
            recent.insert(item, at: index)
            if recent.count > CustomerInteraction.kept { recent.removeLast(recent.count - CustomerInteraction.kept) }
        }
    }

    func setOutcome(_ opportunityId: String, _ status: OpportunityStatus, at time: Date, _ batch: inout ReadModelBatch) throws {
        guard var opportunity = try batch.get(Self.opportunities, opportunityId), opportunity.status != status else { return }
        let previous = opportunity.status
        opportunity.status = status
        try batch.put(Self.opportunities, opportunityId, opportunity)
        try changeOwner(of: opportunity.customerId, &batch) { record in
            if status == .open { CustomerRecord.insert(opportunityId, into: &record.openOpportunityIds) }
            if previous == .open { CustomerRecord.remove(opportunityId, from: &record.openOpportunityIds) }
            if status == .won { record.addPurchase(at: time) }
            if previous == .won { record.purchaseEvidence -= 1 }
        }
    }

    /// Applies `body` to an invoice and its owner's balance in the invoice's currency, moving the
    /// outstanding and overdue amounts by the change of the invoice's contribution.
    func changeInvoice(_ invoiceId: String, _ batch: inout ReadModelBatch, _ body: (inout InvoiceBalanceState, inout CustomerBalance) -> Void) throws {
        guard var invoice = try batch.get(Self.invoices, invoiceId) else { return }
        let before = invoice.contribution
        var delta = CustomerBalance()
        body(&invoice, &delta)
        let after = invoice.contribution
        delta.outstanding += after.outstanding - before.outstanding
        delta.overdue += after.overdue - before.overdue
        try batch.put(Self.invoices, invoiceId, invoice)
        let currency = invoice.currency
        try changeOwner(of: invoice.customerId, &batch) { $0.balances[currency, default: CustomerBalance()].add(delta) }
    }

    func setCaseStatus(_ caseId: String, _ status: CaseStatus, _ batch: inout ReadModelBatch) throws {
        guard var item = try batch.get(Self.cases, caseId), item.status != status else { return }
        let wasOpen = item.isOpen
        item.status = status
        try batch.put(Self.cases, caseId, item)
        guard wasOpen != item.isOpen else { return }
        try changeOwner(of: item.customerId, &batch) { record in
            if item.isOpen { CustomerRecord.insert(caseId, into: &record.openCaseIds) } else { CustomerRecord.remove(caseId, from: &record.openCaseIds) }
        }
    }
}

extension CustomerRecord {
    /// The profile with the erasure marker in place of every personal value it has.
    mutating func erasePersonalData() {
        name = ErasedSubjects.marker
        organisation = ErasedSubjects.erase(organisation)
        email = ErasedSubjects.erase(email)
        phone = ErasedSubjects.erase(phone)
        address = ErasedSubjects.erase(address)
    }

    /// One more piece of purchase evidence.
    mutating func addPurchase(at time: Date) {
        purchaseEvidence += 1
        if firstPurchaseAt.map({ time < $0 }) ?? true { firstPurchaseAt = time }
    }
}
