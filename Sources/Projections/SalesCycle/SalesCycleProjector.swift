import Domain
import EventStore
import Foundation

/// The sales cycle history: for every opportunity its stage path (entered and exited times in
/// business time, who moved it and why, forward / skip / back), reversals, reopenings and outcomes;
/// per customer the sequence of its cycles; and the period tables that conversion, time-in-stage,
/// win-rate and cycle-length reports range-scan.
///
/// Retractions: a reopening retracts the outcome (the close record is deleted and the outcome is
/// marked `retracted`) and starts a new stay in the stage the deal closed in; a move back is a
/// reversal, counted and kept in the path with its reason. Moves are historical facts and are never
/// retracted. Business time never runs backwards within an opportunity: an event dated before the
/// opportunity's latest time is applied at that time.
///
/// Merges: the survivor's cycle list takes in the absorbed customer's opportunities (the same
/// real customer); the absorbed customer keeps its list and names the survivor.
///
/// Erasure (`SubjectErased`): the titles of erased opportunities (they name the customer) read
/// `erased`; stage paths, amounts and outcomes stay, so every report is unchanged.
///
/// Tables:
/// - `opportunities`: id → `OpportunityCycle`
/// - `customers`: customer id → `CustomerCycleList`
/// - `durations`: stage, sortable(exit), opportunity, sortable(visit) → `StageDuration`
/// - `stages`: stage → finished stays recorded (lists the stages for reports)
/// - `moves`: sortable(at), opportunity, sortable(move) → `StageMove`
/// - `closes`: sortable(closedAt), opportunity → `CycleClose` (current outcomes only)
/// - `opened`: sortable(openedAt), opportunity → customer id (cohorts by opening)
public struct SalesCycleProjector: Projector {
    public static let opportunities = ReadModelTable<OpportunityCycle>("opportunities")
    public static let customers = ReadModelTable<CustomerCycleList>("customers")
    public static let durations = ReadModelTable<StageDuration>("durations")
    public static let stages = ReadModelTable<Int>("stages")
    public static let moves = ReadModelTable<StageMove>("moves")
    public static let closes = ReadModelTable<CycleClose>("closes")
    public static let opened = ReadModelTable<String>("opened")

    public let name = "salesCycle"
    /// 2: erasures (`SubjectErased`).
    public let version = 2
    public var tables: [String] {
        [Self.opportunities.name, Self.customers.name, Self.durations.name, Self.stages.name, Self.moves.name, Self.closes.name, Self.opened.name]
    }
    public var eventTypes: Set<String>? {
        [OpportunityOpened.eventType, OpportunityStageChanged.eventType, OpportunityOwnerChanged.eventType, OpportunityAmountChanged.eventType,
         OpportunityProcessRevisionAdopted.eventType, OpportunityWon.eventType, OpportunityLost.eventType, OpportunityReopened.eventType,
         CustomerMerged.eventType, CustomerAbsorbed.eventType, SubjectErased.eventType]
    }

    public init() {}

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    static func closeKey(_ at: Int64, _ opportunityId: String) -> String { ReadModelKey.join(ReadModelKey.sortable(at), opportunityId) }

    public func apply(_ event: ProjectedEvent, to batch: inout ReadModelBatch) throws {
        guard let payload = event.payload else { return }
        let actor = event.envelope.actor.id
        let envelopeReason = event.envelope.reason
        switch payload {
        case let e as OpportunityOpened:
            let time = Self.milliseconds(e.occurredAt)
            let cycle = OpportunityCycle(
                opportunityId: e.opportunityId, customerId: e.customerId, kind: e.cycleKind, title: e.title, processId: e.processId,
                stageOrder: e.stages.map(\.name), ownerId: e.ownerId, openedAt: time, openedBy: actor, amount: e.amount, status: .open,
                visits: [StageVisit(stage: e.stage, enteredAt: time, entry: .opened, enteredBy: actor, entryReason: envelopeReason)],
                reversals: 0, skips: 0, reopenings: [], outcomes: [], closedAt: nil, lastTime: time, moveCount: 0)
            try batch.put(Self.opportunities, e.opportunityId, cycle)
            try batch.put(Self.opened, ReadModelKey.join(ReadModelKey.sortable(time), e.opportunityId), e.customerId)
            let entry = CustomerCycleList.Entry(opportunityId: e.opportunityId, openedAt: time, customerId: e.customerId)
            var list = try batch.get(Self.customers, e.customerId) ?? CustomerCycleList(customerId: e.customerId)
            list.insert([entry])
            try batch.put(Self.customers, e.customerId, list)
            if let survivor = list.mergedInto {
                try batch.update(Self.customers, survivor, default: CustomerCycleList(customerId: survivor)) { $0.insert([entry]) }
            }
        case let e as OpportunityStageChanged:
            guard let (loaded, time) = try load(e.opportunityId, at: e.occurredAt, batch) else { return }
        var cycle = loaded
            do {
                let reason = e.reason ?? envelopeReason
                let exit: StageExit = switch e.direction {
                case .forward: .forward
                case .skip: .skip
                case .back: .back
                }
                try leave(&cycle, at: time, exit: exit, by: actor, reason: reason, to: e.toStage, in: &batch)
                let entry: StageEntry = switch e.direction {
                case .forward: .forward
                case .skip: .skip
                case .back: .back
                }
                if e.direction == .back { cycle.reversals += 1 }
                if e.direction == .skip { cycle.skips += 1 }
                cycle.visits.append(StageVisit(stage: e.toStage, enteredAt: time, entry: entry, enteredBy: actor, entryReason: reason))
            }
            try store(cycle, time, in: &batch)
        case let e as OpportunityOwnerChanged:
            try change(e.opportunityId, at: e.occurredAt, in: &batch) { cycle in cycle.ownerId = e.ownerId }
        case let e as OpportunityAmountChanged:
            try change(e.opportunityId, at: e.occurredAt, in: &batch) { cycle in cycle.amount = e.newAmount }
        case let e as OpportunityProcessRevisionAdopted:
            try change(e.opportunityId, at: e.occurredAt, in: &batch) { cycle in cycle.stageOrder = e.stages.map(\.name) }
        case let e as OpportunityWon:
            guard let (loaded, time) = try load(e.opportunityId, at: e.occurredAt, batch) else { return }
        var cycle = loaded
            cycle.amount = e.amount
            try close(&cycle, OpportunityOutcome(status: .won, at: time, amount: e.amount, reason: envelopeReason, competitor: nil,
                                                 stage: e.stage, by: actor), in: &batch)
            try store(cycle, time, in: &batch)
        case let e as OpportunityLost:
            guard let (loaded, time) = try load(e.opportunityId, at: e.occurredAt, batch) else { return }
        var cycle = loaded
            try close(&cycle, OpportunityOutcome(status: .lost, at: time, amount: nil, reason: e.reason, competitor: e.competitor,
                                                 stage: e.stage, by: actor), in: &batch)
            try store(cycle, time, in: &batch)
        case let e as OpportunityReopened:
            guard let (loaded, time) = try load(e.opportunityId, at: e.occurredAt, batch) else { return }
        var cycle = loaded
            do {
                if let closedAt = cycle.closedAt { try batch.delete(Self.closes, Self.closeKey(closedAt, cycle.opportunityId)) }
                if let last = cycle.outcomes.indices.last, cycle.status != .open { cycle.outcomes[last].retracted = true }
                cycle.status = .open
                cycle.closedAt = nil
                cycle.reopenings.append(OpportunityReopening(at: time, previousStatus: e.previousStatus, reason: e.reason, by: actor))
                let stage = cycle.outcomes.last?.stage ?? cycle.visits.last?.stage ?? ""
                cycle.visits.append(StageVisit(stage: stage, enteredAt: time, entry: .reopened, enteredBy: actor, entryReason: e.reason))
            }
            try store(cycle, time, in: &batch)
        case let e as CustomerMerged:
            let absorbed = try batch.get(Self.customers, e.absorbedId)
            try batch.update(Self.customers, e.customerId, default: CustomerCycleList(customerId: e.customerId)) { list in
                if !list.absorbed.contains(e.absorbedId) { list.absorbed.append(e.absorbedId) }
                if let absorbed { list.insert(absorbed.entries) }
            }
        case let e as CustomerAbsorbed:
            try batch.update(Self.customers, e.customerId, default: CustomerCycleList(customerId: e.customerId)) { $0.mergedInto = e.survivorId }
        case let e as SubjectErased:
            // Not `change`: an erasure is no step of the cycle and moves none of its times.
            for id in ErasedSubjects(e).opportunities.sorted() {
                try batch.modify(Self.opportunities, id) { $0.title = ErasedSubjects.marker }
            }
        default:
            break
        }
    }

    /// Loads an opportunity, clamps the event's time to the opportunity's latest, applies `body`
    /// and stores it. Events of an unknown opportunity are ignored (nothing to attach them to).
    func change(_ id: String, at date: Date, in batch: inout ReadModelBatch, _ body: (inout OpportunityCycle) -> Void) throws {
        guard let (loaded, time) = try load(id, at: date, batch) else { return }
        var cycle = loaded
        body(&cycle)
        try store(cycle, time, in: &batch)
    }

    /// An opportunity and the event's time clamped to the opportunity's latest; nil for an unknown
    /// opportunity (nothing to attach the event to).
    func load(_ id: String, at date: Date, _ batch: ReadModelBatch) throws -> (OpportunityCycle, Int64)? {
        guard let cycle = try batch.get(Self.opportunities, id) else { return nil }
        return (cycle, max(Self.milliseconds(date), cycle.lastTime))
    }

    func store(_ cycle: OpportunityCycle, _ time: Int64, in batch: inout ReadModelBatch) throws {
        var cycle = cycle
        cycle.lastTime = time
        try batch.put(Self.opportunities, cycle.opportunityId, cycle)
    }

    /// Ends the current stay (if any is open): its duration record and the move out of it.
    func leave(_ cycle: inout OpportunityCycle, at time: Int64, exit: StageExit, by actor: String, reason: String?, to target: String,
               in batch: inout ReadModelBatch) throws {
        guard let index = cycle.visits.indices.last, cycle.visits[index].exitedAt == nil else { return }
        cycle.visits[index].exitedAt = time
        cycle.visits[index].exit = exit
        cycle.visits[index].exitedBy = actor
        cycle.visits[index].exitReason = reason
        let visit = cycle.visits[index]
        let duration = StageDuration(opportunityId: cycle.opportunityId, customerId: cycle.customerId, kind: cycle.kind, stage: visit.stage,
                                     enteredAt: visit.enteredAt, exitedAt: time, ownerId: cycle.ownerId, exit: exit)
        try batch.put(Self.durations, ReadModelKey.join(visit.stage, ReadModelKey.sortable(time), cycle.opportunityId, ReadModelKey.sortable(Int64(index))), duration)
        try batch.update(Self.stages, visit.stage, default: 0) { $0 += 1 }
        try batch.put(Self.moves, ReadModelKey.join(ReadModelKey.sortable(time), cycle.opportunityId, ReadModelKey.sortable(Int64(cycle.moveCount))),
                      StageMove(opportunityId: cycle.opportunityId, at: time, from: visit.stage, to: target, kind: exit, by: actor,
                                reason: reason, ownerId: cycle.ownerId))
        cycle.moveCount += 1
    }

    /// Records an outcome: ends the stay, stores the close.
    func close(_ cycle: inout OpportunityCycle, _ outcome: OpportunityOutcome, in batch: inout ReadModelBatch) throws {
        if let closedAt = cycle.closedAt { try batch.delete(Self.closes, Self.closeKey(closedAt, cycle.opportunityId)) }
        let status = outcome.status.rawValue
        try leave(&cycle, at: outcome.at, exit: outcome.status == .won ? .won : .lost, by: outcome.by, reason: outcome.reason, to: status, in: &batch)
        cycle.status = outcome.status
        cycle.closedAt = outcome.at
        cycle.outcomes.append(outcome)
        try batch.put(Self.closes, Self.closeKey(outcome.at, cycle.opportunityId),
                      CycleClose(opportunityId: cycle.opportunityId, customerId: cycle.customerId, kind: cycle.kind, ownerId: cycle.ownerId,
                                 status: outcome.status, amount: outcome.amount ?? cycle.amount, reason: outcome.reason,
                                 competitor: outcome.competitor, stage: outcome.stage, openedAt: cycle.openedAt, closedAt: outcome.at))
    }
}
