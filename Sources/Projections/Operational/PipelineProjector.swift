import Domain
import Foundation

/// The pipeline board and weighted forecast: open opportunities by stage and by expected close
/// month (UTC), per currency, for everyone and per owner.
///
/// Every opportunity event removes the opportunity's previous contribution (from the stored
/// `PipelineOpportunity`) and adds the new one, so stage moves back, amount corrections, owner
/// changes, process revisions, wins, losses and reopenings all keep the totals exact. Scopes:
/// `all` and `owner \0 <ownerId>`, so filtering by owner is a prefix scan.
///
/// Erasure (`SubjectErased`): the titles of erased opportunities (they name the customer) read
/// `erased`; amounts, stages and dates stay, so the board and forecast do not change.
public struct PipelineProjector: Projector {
    static let opportunities = ReadModelTable<PipelineOpportunity>("opportunities")
    /// `scope… \0 stage \0 currency` → cell.
    static let stages = ReadModelTable<PipelineCell>("stages")
    /// `scope… \0 yyyy-MM \0 currency` → cell.
    static let forecast = ReadModelTable<PipelineCell>("forecast")
    /// `scope… \0 stage \0 opportunity id` → 1: the cards of a column.
    static let cards = ReadModelTable<Int>("cards")

    public var name: String
    /// 2: erasures (`SubjectErased`).
    public var version: Int { 2 }

    public init(name: String = "pipeline") { self.name = name }

    public var tables: [String] { [Self.opportunities.name, Self.stages.name, Self.forecast.name, Self.cards.name] }

    public var eventTypes: Set<String>? {
        let types: [any DomainEvent.Type] = [
            OpportunityOpened.self, OpportunityStageChanged.self, OpportunityAmountChanged.self, OpportunityCloseDateChanged.self,
            OpportunityOwnerChanged.self, OpportunityProcessRevisionAdopted.self, OpportunityWon.self, OpportunityLost.self,
            OpportunityReopened.self, SubjectErased.self,
        ]
        return Set(types.map { $0.eventType })
    }

    /// The key parts of the two scopes an owner's opportunity counts in.
    static func scopes(_ ownerId: String) -> [[String]] { [["all"], ["owner", ownerId]] }

    /// The prefix of one scope.
    static func scopePrefix(ownerId: String?) -> [String] { ownerId.map { ["owner", $0] } ?? ["all"] }

    public func apply(_ event: ProjectedEvent, to batch: inout ReadModelBatch) throws {
        switch event.payload {
        case let e as OpportunityOpened:
            let probability = e.stages.first { $0.name == e.stage }?.winProbability ?? 0
            let opportunity = PipelineOpportunity(opportunityId: e.opportunityId, customerId: e.customerId, title: e.title,
                                                  ownerId: e.ownerId, stage: e.stage, winProbability: probability, amount: e.amount,
                                                  expectedCloseDate: e.expectedCloseDate, status: .open)
            let previous = try batch.get(Self.opportunities, e.opportunityId)
            try replace(previous, with: opportunity, &batch)
        case let e as OpportunityStageChanged:
            try change(e.opportunityId, &batch) { $0.stage = e.toStage; $0.winProbability = e.winProbability }
        case let e as OpportunityAmountChanged:
            try change(e.opportunityId, &batch) { $0.amount = e.newAmount }
        case let e as OpportunityCloseDateChanged:
            try change(e.opportunityId, &batch) { $0.expectedCloseDate = e.newDate }
        case let e as OpportunityOwnerChanged:
            try change(e.opportunityId, &batch) { $0.ownerId = e.ownerId }
        case let e as OpportunityProcessRevisionAdopted:
            try change(e.opportunityId, &batch) { o in
                if let stage = e.stages.first(where: { $0.name == o.stage }) { o.winProbability = stage.winProbability }
            }
        case let e as OpportunityWon:
            try change(e.opportunityId, &batch) { $0.status = .won }
        case let e as OpportunityLost:
            try change(e.opportunityId, &batch) { $0.status = .lost }
        case let e as OpportunityReopened:
            try change(e.opportunityId, &batch) { $0.status = .open }
        case let e as SubjectErased:
            for id in ErasedSubjects(e).opportunities.sorted() {
                try change(id, &batch) { $0.title = ErasedSubjects.marker }
            }
        default:
            break
        }
    }

    func change(_ id: String, _ batch: inout ReadModelBatch, _ body: (inout PipelineOpportunity) -> Void) throws {
        guard let old = try batch.get(Self.opportunities, id) else { return }
        var new = old
        body(&new)
        guard new != old else { return }
        try replace(old, with: new, &batch)
    }

    func replace(_ old: PipelineOpportunity?, with new: PipelineOpportunity, _ batch: inout ReadModelBatch) throws {
        try batch.put(Self.opportunities, new.opportunityId, new)
        if let old, old.status == .open { try contribute(old, sign: -1, &batch) }
        if new.status == .open { try contribute(new, sign: 1, &batch) }
    }

    /// Adds (`sign` 1) or removes (-1) an open opportunity's share of every cell it counts in.
    func contribute(_ o: PipelineOpportunity, sign: Int64, _ batch: inout ReadModelBatch) throws {
        let month = OperationalTime.monthKey(o.expectedCloseDate)
        let currency = o.amount.currency
        for scope in Self.scopes(o.ownerId) {
            try add(Self.stages, ReadModelKey.join(scope + [o.stage, currency]), o, sign, &batch)
            try add(Self.forecast, ReadModelKey.join(scope + [month, currency]), o, sign, &batch)
            let card = ReadModelKey.join(scope + [o.stage, o.opportunityId])
            if sign > 0 { try batch.put(Self.cards, card, 1) } else { try batch.delete(Self.cards, card) }
        }
    }

    func add(_ table: ReadModelTable<PipelineCell>, _ key: String, _ o: PipelineOpportunity, _ sign: Int64, _ batch: inout ReadModelBatch) throws {
        var cell = try batch.get(table, key) ?? PipelineCell()
        cell.count += Int(sign)
        cell.amount += sign * o.amount.minorUnits
        cell.weightedHundredths += sign * o.weightedHundredths
        cell.probabilitySum += sign * Int64(o.winProbability)
        if cell.isEmpty { try batch.delete(table, key) } else { try batch.put(table, key, cell) }
    }
}

extension ReadModelKey {
    /// `join` over an array of parts.
    static func join(_ parts: [String]) -> String { parts.joined(separator: "\u{0}") }

    /// `prefix` over an array of parts.
    static func prefix(_ parts: [String]) -> String { parts.joined(separator: "\u{0}") + "\u{0}" }
}
