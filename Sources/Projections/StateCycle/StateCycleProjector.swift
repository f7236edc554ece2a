import Domain
import EventStore
import Foundation

/// The customer state cycle: for every customer, the full history of intervals `[from, to)` of
/// lifecycle state, risk grade and RFM value grade, each with the event that started it, derived by
/// a versioned rule set (`StateCycleRules`; documented there and in `RULES.md`).
///
/// **Time-driven changes** (a year without a paid order, a window running out) never read the wall
/// clock. Every customer whose labels can change with time alone is in the `schedule` table under
/// its due day (`sortable(day)` → customer ids). A customer due is re-evaluated at 00:00 UTC of
/// its due day, and a change starts its interval then, not at the event. Business time is clamped
/// to never go back along the log (`StateCycleClock`).
///
/// **Firing is spread over events.** Once business time has passed a due day, each event applied
/// fires at most `firesPerEvent` customers of the oldest day not fired yet (a whole day at once
/// only when more than `maxPendingDays` are behind), and a customer an event concerns is first
/// brought up to date itself. Firing a whole day inside the first event after midnight re-evaluated
/// every customer due that day in one step, and at 150,000 customers every append behind it waited
/// half a second or more. Each customer's history is the same either way: its due days fire in
/// order, at their own times, before its next event; the queries add the changes due but not yet
/// fired (`StateCycleQueries`), so their answers do not depend on how far the firing has come.
///
/// **Merges**: on `CustomerMerged` the survivor takes over the absorbed customer's facts (purchases,
/// activity, arrears, complaints) and is re-evaluated; on `CustomerAbsorbed` the absorbed customer's
/// history ends with a final, open `merged` interval, and later events naming it (a late payment of
/// one of its invoices) count for the survivor.
///
/// Tables (keys joined with NUL, times `ReadModelKey.sortable`):
/// - `facts`: customer id → `CustomerStateFacts` (rule inputs, current interval, due day)
/// - `history`: customer, from → `StateInterval`
/// - `byLabel`: axis (`state`/`risk`/`value`), label, from, customer → `StateLabelSpan` (the end)
/// - `transitions`: at, customer → `StateTransition`
/// - `schedule`: due day → customer ids due then
/// - `clock`: `clock` → `StateCycleClock`
/// - `rules`: `clock` → the `StateCycleRules` applied
public struct StateCycleProjector: Projector {
    public static let facts = ReadModelTable<CustomerStateFacts>("facts")
    public static let history = ReadModelTable<StateInterval>("history")
    public static let byLabel = ReadModelTable<StateLabelSpan>("byLabel")
    public static let transitions = ReadModelTable<StateTransition>("transitions")
    public static let schedule = ReadModelTable<[String]>("schedule")
    public static let clock = ReadModelTable<StateCycleClock>("clock")
    /// The rule set the read model was built with (`rules` → `StateCycleRules`), so queries that
    /// project pending time-driven changes use the same rules, for scratch replays too.
    public static let ruleSet = ReadModelTable<StateCycleRules>("rules")
    static let clockKey = "clock"

    /// Version of the projector's code; the published version combines it with the rules'.
    /// 2: due days fire a few customers per event (the read model can hold days not fired yet).
    public static let codeVersion = 2

    /// Customers fired per event applied while due days are behind (the standard 16: at 150,000
    /// customers about 10,000 are due a day, spread over some 600 events at a fraction of a
    /// millisecond each, and a log with a few hundred events a business day still keeps up).
    /// Tests lower it to leave days behind; the answers do not depend on it.
    let firesPerEvent: Int
    /// Days allowed behind before the oldest is fired whole: bounds what queries must add.
    static let maxPendingDays: Int64 = 7

    public let name: String
    public let rules: StateCycleRules
    /// `codeVersion × 1000 + rules.version`: a change of either rebuilds the read model.
    public var version: Int { Self.codeVersion * 1000 + rules.version }
    public var tables: [String] { [Self.facts.name, Self.history.name, Self.byLabel.name, Self.transitions.name, Self.schedule.name, Self.clock.name, Self.ruleSet.name] }
    public var eventTypes: Set<String>? {
        [CustomerRegistered.eventType, CustomerDeactivated.eventType, CustomerReactivated.eventType, CustomerMerged.eventType,
         CustomerAbsorbed.eventType, InteractionLogged.eventType, OrderPlaced.eventType, CaseOpened.eventType,
         InvoiceSettled.eventType, InvoiceMarkedOverdue.eventType, InvoiceWrittenOff.eventType]
    }

    /// The state cycle under `rules` (the standard rule set for the live read model).
    public init(rules: StateCycleRules = .standard, name: String = "stateCycle") {
        self.init(rules: rules, name: name, firesPerEvent: 16)
    }

    init(rules: StateCycleRules, name: String, firesPerEvent: Int) {
        self.rules = rules
        self.name = name
        self.firesPerEvent = max(1, firesPerEvent)
    }

    /// Business time in ms.
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    public func apply(_ event: ProjectedEvent, to batch: inout ReadModelBatch) throws {
        guard let payload = event.payload else { return }
        // The clock: clamp, then fire some of the customers due by the event's day.
        let occurred = Self.milliseconds(payload.occurredAt)
        let previous = try batch.get(Self.clock, Self.clockKey)
        let time = max(occurred, previous?.time ?? occurred)
        let day = BusinessDay.of(time)
        var clock = previous ?? StateCycleClock(day: day, time: time)
        if day > clock.day { clock.fired = clock.firedThrough }
        clock.day = day
        clock.time = time
        try drain(&clock, in: &batch)
        if previous == nil { try batch.put(Self.ruleSet, Self.clockKey, rules) }
        if previous != clock { try batch.put(Self.clock, Self.clockKey, clock) }
        let context = Context(time: time, day: day, position: event.position, eventType: event.envelope.type)

        switch payload {
        case let e as CustomerRegistered:
            try observe(e.customerId, context, in: &batch) { $0.lastActivityDay = max($0.lastActivityDay, day) }
        case let e as CustomerDeactivated:
            try observe(e.customerId, context, in: &batch) { $0.deactivated = true }
        case let e as CustomerReactivated:
            try observe(e.customerId, context, in: &batch) {
                $0.deactivated = false
                $0.reactivatedDay = day
                $0.lastActivityDay = max($0.lastActivityDay, day)
            }
        case let e as InteractionLogged:
            try observe(e.customerId, context, in: &batch) { $0.recordActivity(on: day) }
        case let e as OrderPlaced:
            try observe(e.customerId, context, in: &batch) { $0.recordActivity(on: day) }
        case let e as CaseOpened:
            try observe(e.customerId, context, in: &batch) {
                $0.lastActivityDay = max($0.lastActivityDay, day)
                if e.isComplaint { CustomerStateFacts.add(day, 1, to: &$0.complaints) }
            }
        case let e as InvoiceSettled:
            let amount = e.total.currency == rules.currency ? e.total.minorUnits : 0
            try observe(e.customerId, context, in: &batch) {
                $0.recordPaidOrder(on: day, minorUnits: amount)
                $0.clearOverdue(e.invoiceId)
            }
        case let e as InvoiceMarkedOverdue:
            try observe(e.customerId, context, in: &batch) { $0.markOverdue(e.invoiceId) }
        case let e as InvoiceWrittenOff:
            try observe(e.customerId, context, in: &batch) {
                $0.clearOverdue(e.invoiceId)
                CustomerStateFacts.add(day, 1, to: &$0.writeOffs)
            }
        case let e as CustomerMerged:
            let absorbed = try batch.get(Self.facts, e.absorbedId)
            try observe(e.customerId, context, in: &batch, redirect: false) { facts in
                if let absorbed, absorbed.mergedInto == nil || absorbed.mergedInto == e.customerId { facts.absorb(absorbed) }
            }
        case let e as CustomerAbsorbed:
            try observe(e.customerId, context, in: &batch, redirect: false) { $0.mergedInto = e.survivorId }
        default:
            break
        }
    }

    /// The event being applied.
    struct Context {
        let time: Int64
        let day: Int64
        let position: UInt64
        let eventType: String
    }

    /// Changes a customer's facts (following merges to the survivor unless `redirect` is false),
    /// re-evaluates it at the event's time, records a change, and reschedules it.
    func observe(_ customerId: String, _ context: Context, in batch: inout ReadModelBatch, redirect: Bool = true,
                 _ change: (inout CustomerStateFacts) -> Void) throws {
        var id = customerId
        var existing = try batch.get(Self.facts, id)
        var hops = 0
        while redirect, let survivor = existing?.mergedInto, hops < 16 {
            id = survivor
            existing = try batch.get(Self.facts, id)
            hops += 1
        }
        let isNew = existing == nil
        var facts = existing ?? CustomerStateFacts(customerId: id, day: context.day, at: context.time,
                                                   position: context.position, eventType: context.eventType)
        try catchUp(&facts, through: context.day, in: &batch)
        change(&facts)
        facts.lastPosition = context.position
        facts.lastEventType = context.eventType
        let cause = StateChangeCause(position: context.position, eventType: context.eventType, timeDriven: false)
        let next = facts.evaluate(on: context.day, rules: rules)
        if isNew {
            facts.labels = next
            facts.since = context.time
            try Self.open(StateInterval(customerId: id, from: context.time, to: nil, labels: next, cause: cause), in: &batch)
            try batch.put(Self.transitions, ReadModelKey.join(ReadModelKey.sortable(context.time), id),
                          StateTransition(customerId: id, at: context.time, from: nil, to: next, cause: cause))
        } else if next != facts.labels {
            try Self.change(&facts, to: next, at: context.time, cause: cause, in: &batch)
        }
        try reschedule(&facts, after: context.day, in: &batch)
        try batch.put(Self.facts, id, facts)
    }

    /// Fires customers of the days after `clock.firedThrough` up to `clock.day`, oldest day first:
    /// `firesPerEvent` of them, or whole days while more than `maxPendingDays` are behind. A day's
    /// bucket is read in order from `clock.firing` and left unchanged until it is done (changing
    /// it wrote the whole bucket, thousands of ids, at every batch); a customer fired by its own
    /// event meanwhile stays in it and is skipped (its due day is no longer that day).
    func drain(_ clock: inout StateCycleClock, in batch: inout ReadModelBatch) throws {
        var budget = firesPerEvent
        while clock.firedThrough < clock.day {
            let day = clock.firedThrough + 1
            let whole = clock.day - clock.firedThrough > Self.maxPendingDays
            guard whole || budget > 0 else { break }
            let key = ReadModelKey.sortable(day)
            let ids = try batch.get(Self.schedule, key) ?? []
            let start = min(clock.firing ?? 0, ids.count)
            let end = whole ? ids.count : min(ids.count, start + budget)
            for id in ids[start..<end] { try fire(id, on: day, in: &batch) }
            if !whole { budget -= end - start }
            if end == ids.count {
                if !ids.isEmpty { try batch.delete(Self.schedule, key) }
                clock.fired = day
                clock.firing = nil
            } else {
                clock.firing = end
            }
        }
        if clock.fired == clock.day { clock.fired = nil }
    }

    /// Re-evaluates one customer of the bucket of `day`, at 00:00 UTC of that day.
    func fire(_ id: String, on day: Int64, in batch: inout ReadModelBatch) throws {
        guard var facts = try batch.get(Self.facts, id), facts.dueDay == day else { return }
        facts.dueDay = nil
        try reevaluate(&facts, on: day, in: &batch)
        try reschedule(&facts, after: day, in: &batch)
        try batch.put(Self.facts, id, facts)
    }

    /// Fires the customer's own due days up to `day` that the drain has not reached, before an
    /// event of that day changes its facts. Its id stays in the bucket of a day not fired yet (the
    /// drain skips it there); `observe` schedules it anew.
    func catchUp(_ facts: inout CustomerStateFacts, through day: Int64, in batch: inout ReadModelBatch) throws {
        guard let first = facts.dueDay, first <= day else { return }
        facts.dueDay = nil
        var due: Int64? = first
        while let current = due, current <= day {
            try reevaluate(&facts, on: current, in: &batch)
            due = facts.nextDue(after: current, rules: rules)
        }
    }

    /// Applies the labels of `day` to a customer, a time-driven change starting at 00:00 UTC.
    func reevaluate(_ facts: inout CustomerStateFacts, on day: Int64, in batch: inout ReadModelBatch) throws {
        let next = facts.evaluate(on: day, rules: rules)
        guard next != facts.labels else { return }
        let cause = StateChangeCause(position: facts.lastPosition, eventType: facts.lastEventType, timeDriven: true)
        try Self.change(&facts, to: next, at: BusinessDay.start(day), cause: cause, in: &batch)
    }

    /// Moves the customer to the bucket of its next due day.
    func reschedule(_ facts: inout CustomerStateFacts, after day: Int64, in batch: inout ReadModelBatch) throws {
        let next = facts.nextDue(after: day, rules: rules)
        guard next != facts.dueDay else { return }
        let id = facts.customerId
        // A bucket holds thousands of ids at scale (every customer is due every few weeks): found
        // by binary search and changed in place, not scanned and copied per customer.
        if let old = facts.dueDay { try Self.unschedule(id, from: old, in: &batch) }  // a future day's bucket
        if let next {
            try batch.update(Self.schedule, ReadModelKey.sortable(next), default: []) { ids in
                let index = Self.insertionIndex(of: id, in: ids)
                if index == ids.endIndex || ids[index] != id { ids.insert(id, at: index) }
            }
        }
        facts.dueDay = next
    }

    /// Removes a customer from the bucket of `day` (and the bucket when it empties).
    static func unschedule(_ id: String, from day: Int64, in batch: inout ReadModelBatch) throws {
        let key = ReadModelKey.sortable(day)
        var emptied = false
        try batch.modify(schedule, key) { ids in
            let index = insertionIndex(of: id, in: ids)
            if index < ids.endIndex, ids[index] == id { ids.remove(at: index) }
            emptied = ids.isEmpty
        }
        if emptied { try batch.delete(schedule, key) }
    }

    /// The first index of the sorted `ids` whose id is not below `id`.
    static func insertionIndex(of id: String, in ids: [String]) -> Int {
        var low = 0, high = ids.count
        while low < high {
            let middle = (low + high) / 2
            if ids[middle] < id { low = middle + 1 } else { high = middle }
        }
        return low
    }

    // MARK: Intervals

    static func historyKey(_ customerId: String, _ from: Int64) -> String { ReadModelKey.join(customerId, ReadModelKey.sortable(from)) }

    static func labelKeys(_ labels: StateLabels, _ from: Int64, _ customerId: String) -> [String] {
        let time = ReadModelKey.sortable(from)
        return [ReadModelKey.join("state", labels.state.rawValue, time, customerId),
                ReadModelKey.join("risk", labels.risk.rawValue, time, customerId),
                ReadModelKey.join("value", labels.value.rawValue, time, customerId)]
    }

    /// Stores a new interval and its label index entries.
    static func open(_ interval: StateInterval, in batch: inout ReadModelBatch) throws {
        try batch.put(history, historyKey(interval.customerId, interval.from), interval)
        for key in labelKeys(interval.labels, interval.from, interval.customerId) { try batch.put(byLabel, key, StateLabelSpan(to: interval.to)) }
    }

    /// Ends the current interval at `time` and opens one with `labels`. A second change at the
    /// same instant replaces the interval opened then, or removes it when it returns to the
    /// labels before (no empty intervals).
    static func change(_ facts: inout CustomerStateFacts, to labels: StateLabels, at time: Int64, cause: StateChangeCause,
                       in batch: inout ReadModelBatch) throws {
        let id = facts.customerId
        let transitionKey = ReadModelKey.join(ReadModelKey.sortable(time), id)
        if facts.since == time {
            for key in labelKeys(facts.labels, time, id) { try batch.delete(byLabel, key) }
            if let previous = facts.previous, let previousSince = facts.previousSince, previous == labels {
                try batch.delete(history, historyKey(id, time))
                try batch.delete(transitions, transitionKey)
                try batch.modify(history, historyKey(id, previousSince)) { $0.to = nil }
                for key in labelKeys(previous, previousSince, id) { try batch.put(byLabel, key, StateLabelSpan(to: nil)) }
                facts.labels = previous
                facts.since = previousSince
                facts.previous = nil
                facts.previousSince = nil
            } else {
                try open(StateInterval(customerId: id, from: time, to: nil, labels: labels, cause: cause), in: &batch)
                try batch.put(transitions, transitionKey, StateTransition(customerId: id, at: time, from: facts.previous, to: labels, cause: cause))
                facts.labels = labels
            }
            return
        }
        try batch.modify(history, historyKey(id, facts.since)) { $0.to = time }
        for key in labelKeys(facts.labels, facts.since, id) { try batch.put(byLabel, key, StateLabelSpan(to: time)) }
        try open(StateInterval(customerId: id, from: time, to: nil, labels: labels, cause: cause), in: &batch)
        try batch.put(transitions, transitionKey, StateTransition(customerId: id, at: time, from: facts.labels, to: labels, cause: cause))
        facts.previous = facts.labels
        facts.previousSince = facts.since
        facts.labels = labels
        facts.since = time
    }
}
