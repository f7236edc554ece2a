import Domain
import Foundation

/// The analytics cubes (revenue, pipeline, service, customer) as one projector, `cubes`.
///
/// One projector rather than four because the cubes share their dimension lookups (each
/// customer's classification, manager and campaign; each manager's team) and their facts' merge
/// re-attribution: one pass decodes each event once, keeps one copy of the lookups, and a query
/// that reads two cubes sees them at the same position.
///
/// Tables: one of cells per cube (`<cube>Cells`, key `sortable(day)\0<dimension values>`, value
/// the measures by name), the cube's roll-ups (`<cube>Cells.<grain>.<dimensions>`, `CubeRollUp`),
/// the facts with the deltas they added (`cubeOrders`, `cubePayments`,
/// `cubeOpportunities`, `cubeCases`, `cubeSurveys`), the customers (`cubeCustomers`) and the
/// managers' teams (`cubeManagers`). Every change of a fact re-derives its cells and applies the
/// difference from its last contribution: retractions (a reopened deal, a stage moved back, a
/// corrected amount, a reopened case, a merged customer, a later campaign credit) are exact.
public struct CubeProjector: Projector {
    /// Manager id → team id, from `TeamMemberAssigned`.
    static let managers = ReadModelTable<String>("cubeManagers")

    public let name: String
    /// 2: the roll-up tables (`CubeRollUp`) joined the finest cells.
    public let version = 2

    /// The cubes projector under `name` (default `cubes`).
    public init(name: String = "cubes") { self.name = name }

    public var tables: [String] {
        CubeKind.allCases.flatMap { [$0.table.name] + (CubeRollUp.byCube[$0] ?? []).map(\.table.name) } + [
            CubeOrderFact.table.name, CubePaymentFact.table.name, CubeOpportunityFact.table.name, CubeCaseFact.table.name,
            CubeSurveyFact.table.name, CubeCustomerRecord.table.name, Self.managers.name,
        ]
    }

    public var eventTypes: Set<String>? {
        let types: [any DomainEvent.Type] = [
            TeamMemberAssigned.self,
            CustomerRegistered.self, CustomerClassified.self, CustomerManagerAssigned.self, CustomerDeactivated.self,
            CustomerReactivated.self, CustomerMerged.self, CustomerAbsorbed.self,
            OrderPlaced.self, OrderCancelled.self, InvoicePaymentReceived.self,
            OpportunityOpened.self, OpportunityStageChanged.self, OpportunityAmountChanged.self, OpportunityOwnerChanged.self,
            OpportunityWon.self, OpportunityLost.self, OpportunityReopened.self,
            CaseOpened.self, CaseFirstResponded.self, CaseResolved.self, CaseReopened.self, CaseClosed.self,
            SurveyAnswered.self, CampaignMemberConverted.self,
        ]
        return Set(types.map { $0.eventType })
    }

    public func apply(_ event: ProjectedEvent, to batch: inout ReadModelBatch) throws {
        guard let payload = event.payload else { return }
        let day = CubeCalendar.day(payload.occurredAt)
        switch payload {
        case let e as TeamMemberAssigned:
            try batch.put(Self.managers, e.managerId, e.teamId)
        case let e as CustomerRegistered:
            var record = CubeCustomerRecord(dims: CubeDims(channel: e.channel.rawValue, campaign: e.sourceCampaignId ?? ""), registeredDay: day)
            if let existing = try batch.get(CubeCustomerRecord.table, e.customerId) { record.contribution = existing.contribution }
            try storeCustomer(e.customerId, record, &batch)
        case let e as CustomerClassified:
            try changeCustomer(e.customerId, &batch) {
                $0.dims.region = e.classification.region
                $0.dims.segment = e.classification.segment
            }
        case let e as CustomerManagerAssigned:
            try changeCustomer(e.customerId, &batch) { $0.dims.manager = e.managerId }
        case let e as CustomerDeactivated:
            try changeCustomer(e.customerId, &batch) {
                $0.active = false
                $0.changes.append(.init(day: day, active: false))
            }
        case let e as CustomerReactivated:
            try changeCustomer(e.customerId, &batch) {
                $0.active = true
                $0.changes.append(.init(day: day, active: true))
            }
        case let e as CustomerMerged:
            try changeCustomer(e.customerId, &batch) { $0.mergedDays.append(day) }
        case let e as CustomerAbsorbed:
            try absorb(e.customerId, into: e.survivorId, &batch)
        default:
            try applyFact(payload, day: day, &batch)
        }
    }

    // MARK: Customers and teams

    /// The team of `manager` as known now ("" for none).
    func team(of manager: String, _ batch: inout ReadModelBatch) throws -> String {
        manager.isEmpty ? "" : try batch.get(Self.managers, manager) ?? ""
    }

    /// The customer whose dimensions `id`'s facts are filed under: the survivor of a merge, or
    /// the customer itself; nil when unknown.
    func resolve(_ id: String, _ batch: inout ReadModelBatch) throws -> (id: String, record: CubeCustomerRecord)? {
        var id = id
        for _ in 0..<16 {
            guard let record = try batch.get(CubeCustomerRecord.table, id) else { return nil }
            guard let survivor = record.survivor else { return (id, record) }
            id = survivor
        }
        return nil
    }

    /// The dimensions a new fact of customer `id` is filed under (as known now), and the customer
    /// it is filed for.
    func factDims(_ id: String, _ batch: inout ReadModelBatch) throws -> (customer: String, dims: CubeDims) {
        guard let found = try resolve(id, &batch) else { return (id, CubeDims()) }
        var dims = found.record.dims
        dims.team = try team(of: dims.manager, &batch)
        return (found.id, dims)
    }

    func changeCustomer(_ id: String, _ batch: inout ReadModelBatch, _ change: (inout CubeCustomerRecord) -> Void) throws {
        guard var record = try batch.get(CubeCustomerRecord.table, id) else { return }
        change(&record)
        try storeCustomer(id, record, &batch)
    }

    /// Stores the customer with its customer-cube contribution brought up to date.
    func storeCustomer(_ id: String, _ record: CubeCustomerRecord, _ batch: inout ReadModelBatch) throws {
        var record = record
        let cells = record.cells(team: try team(of: record.dims.manager, &batch))
        try CubeDeltas.replace(record.contribution, with: cells, in: &batch)
        record.contribution = cells
        try batch.put(CubeCustomerRecord.table, id, record)
    }

    /// A duplicate was merged: it leaves the customer cube, and every fact filed for it moves to
    /// the survivor's dimensions as known now.
    func absorb(_ id: String, into survivorId: String, _ batch: inout ReadModelBatch) throws {
        guard var absorbed = try batch.get(CubeCustomerRecord.table, id) else { return }
        let facts = absorbed.facts
        absorbed.survivor = survivorId
        absorbed.facts = []
        try storeCustomer(id, absorbed, &batch)
        let (customer, dims) = try factDims(survivorId, &batch)
        for reference in facts {
            let parts = ReadModelKey.split(reference)
            let key = parts.dropFirst().joined(separator: "\u{0}")
            switch parts[0] {
            case CubeOrderFact.tag: try rebase(CubeOrderFact.self, key, customer, dims, &batch)
            case CubePaymentFact.tag: try rebase(CubePaymentFact.self, key, customer, dims, &batch)
            case CubeOpportunityFact.tag: try rebase(CubeOpportunityFact.self, key, customer, dims, &batch)
            case CubeCaseFact.tag: try rebase(CubeCaseFact.self, key, customer, dims, &batch)
            case CubeSurveyFact.tag: try rebase(CubeSurveyFact.self, key, customer, dims, &batch)
            default: break
            }
        }
        if customer != id, var survivor = try batch.get(CubeCustomerRecord.table, customer) {
            survivor.facts += facts
            try batch.put(CubeCustomerRecord.table, customer, survivor)
        }
    }

    func rebase<F: CubeFact>(_ type: F.Type, _ key: String, _ customer: String, _ dims: CubeDims, _ batch: inout ReadModelBatch) throws {
        guard var fact = try batch.get(F.table, key) else { return }
        fact.customer = customer
        fact.rebase(on: dims)
        try store(fact, key, &batch)
    }

    // MARK: Facts

    /// Stores a fact with its cells brought up to date.
    func store<F: CubeFact>(_ fact: F, _ key: String, _ batch: inout ReadModelBatch) throws {
        var fact = fact
        let cells = fact.cells()
        try CubeDeltas.replace(fact.contribution, with: cells, in: &batch)
        fact.contribution = cells
        try batch.put(F.table, key, fact)
    }

    /// Stores a new fact and files it under its customer, so a merge can move it.
    func file<F: CubeFact>(_ fact: F, _ key: String, _ batch: inout ReadModelBatch) throws {
        if let existing = try batch.get(F.table, key) {
            // The same fact again (an id reused): replace its contribution, filed once.
            var fact = fact
            fact.contribution = existing.contribution
            try store(fact, key, &batch)
            return
        }
        try store(fact, key, &batch)
        if var customer = try batch.get(CubeCustomerRecord.table, fact.customer) {
            customer.facts.append(ReadModelKey.join(F.tag, key))
            try batch.put(CubeCustomerRecord.table, fact.customer, customer)
        }
    }

    /// Changes an existing fact and brings its cells up to date.
    func change<F: CubeFact>(_ type: F.Type, _ key: String, _ batch: inout ReadModelBatch, _ change: (inout F) throws -> Void) throws {
        guard var fact = try batch.get(F.table, key) else { return }
        try change(&fact)
        try store(fact, key, &batch)
    }
}
