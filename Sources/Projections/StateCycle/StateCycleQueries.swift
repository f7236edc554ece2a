/// Questions answered by the state cycle read model (live, as-of, rebuilt or a scratch replay under
/// other rules: every function takes the generation's reader).
///
/// Everything is answered from the stored history; nothing is replayed. Time-driven changes that
/// are due but not recorded (beyond the processed time, or within it while the projector is still
/// firing a past day a few customers per event) are derived from the customer's stored facts with
/// the rules the model was built with, exactly as the projector will record them.
public enum StateCycleQueries {
    /// A page of a customer's intervals, oldest first; `after` is the previous page's `next`. The
    /// last page ends with the changes due by the processed time that are not fired yet (so it
    /// can hold a few more than `limit`).
    public static func history(_ reader: ReadModelReader, customerId: String, after: String? = nil, limit: Int = 100) throws -> StateHistoryPage {
        var intervals: [StateInterval] = []
        var next: String?
        var lastKey: String?
        try reader.scan(StateCycleProjector.history, prefix: ReadModelKey.prefix(customerId), after: after) { key, interval in
            if intervals.count == max(1, limit) { next = lastKey; return false }
            intervals.append(interval)
            lastKey = key
            return true
        }
        if next == nil, let last = intervals.last, last.to == nil, let time = try processedUntil(reader),
           let facts = try reader.get(StateCycleProjector.facts, customerId) {
            let changes = dueChanges(facts, until: time, rules: try rules(reader))
            if let first = changes.first {
                intervals[intervals.count - 1].to = first.at
                for (index, change) in changes.enumerated() {
                    let end = index + 1 < changes.count ? changes[index + 1].at : nil
                    intervals.append(StateInterval(customerId: customerId, from: change.at, to: end, labels: change.to, cause: change.cause))
                }
            }
        }
        return StateHistoryPage(intervals: intervals, next: next)
    }

    /// Every time-driven change due by the processed time that the projector has not fired yet
    /// (the customers still in the schedule under a day it has passed), customer by customer.
    public static func unfiredChanges(_ reader: ReadModelReader) throws -> [StateTransition] {
        guard let clock = try reader.get(StateCycleProjector.clock, StateCycleProjector.clockKey), clock.firedThrough < clock.day else { return [] }
        let rules = try rules(reader)
        var changes: [StateTransition] = []
        // At most `maxPendingDays` + 1 buckets. A customer counts in the bucket of its own due day
        // only: a bucket being fired still lists the customers already done, and one fired by its
        // own event stays listed where it was.
        for day in (clock.firedThrough + 1)...clock.day {
            for id in try reader.get(StateCycleProjector.schedule, ReadModelKey.sortable(day)) ?? [] {
                guard let facts = try reader.get(StateCycleProjector.facts, id), facts.dueDay == day else { continue }
                changes += dueChanges(facts, until: clock.time, rules: rules)
            }
        }
        return changes
    }

    /// The business time (ms) the read model has processed, nil when it is empty.
    public static func processedUntil(_ reader: ReadModelReader) throws -> Int64? {
        try reader.get(StateCycleProjector.clock, StateCycleProjector.clockKey)?.time
    }

    /// The rule set the read model was built with.
    public static func rules(_ reader: ReadModelReader) throws -> StateCycleRules {
        try reader.get(StateCycleProjector.ruleSet, StateCycleProjector.clockKey) ?? .standard
    }

    /// The customer's state at business time `at` (ms): the interval holding it, from the history,
    /// with the time-driven changes due but not recorded applied to a copy of the stored facts,
    /// exactly as the projector will apply them. The answer is `projected` when it rests on a
    /// change beyond the processed time. Nil before the customer's first interval or for an
    /// unknown customer.
    public static func state(_ reader: ReadModelReader, customerId: String, at time: Int64) throws -> CustomerStateAsOf? {
        var found: StateInterval?
        let prefix = ReadModelKey.prefix(customerId)
        try reader.scanBackward(StateCycleProjector.history, prefix: prefix, before: prefix + ReadModelKey.sortable(time) + "\u{1}") { _, interval in
            found = interval
            return false
        }
        guard var interval = found else { return nil }
        let stored = CustomerStateAsOf(customerId: customerId, at: time, interval: interval, projected: false)
        guard interval.to == nil, let facts = try reader.get(StateCycleProjector.facts, customerId), let due = facts.dueDay else { return stored }
        let processed = try processedUntil(reader) ?? time
        guard BusinessDay.start(due) <= max(time, processed) else { return stored }
        let changes = dueChanges(facts, until: max(time, processed), rules: try rules(reader))
        // A change within the processed time ends the interval before it, as if it were recorded.
        func end(before index: Int) -> Int64? { index < changes.count && changes[index].at <= processed ? changes[index].at : nil }
        guard let index = changes.lastIndex(where: { $0.at <= time }) else {
            interval.to = end(before: 0)
            return CustomerStateAsOf(customerId: customerId, at: time, interval: interval, projected: false)
        }
        let change = changes[index]
        return CustomerStateAsOf(customerId: customerId, at: time,
                                 interval: StateInterval(customerId: customerId, from: change.at, to: end(before: index + 1), labels: change.to, cause: change.cause),
                                 projected: change.at > processed)
    }

    /// The changes the scheduled re-evaluations of `stored` make up to `time`, in order, as the
    /// projector records them (`StateCycleProjector.reevaluate`).
    static func dueChanges(_ stored: CustomerStateFacts, until time: Int64, rules: StateCycleRules) -> [StateTransition] {
        var facts = stored
        var changes: [StateTransition] = []
        while let due = facts.dueDay, BusinessDay.start(due) <= time {
            facts.dueDay = nil
            let next = facts.evaluate(on: due, rules: rules)
            if next != facts.labels {
                let cause = StateChangeCause(position: facts.lastPosition, eventType: facts.lastEventType, timeDriven: true)
                changes.append(StateTransition(customerId: facts.customerId, at: BusinessDay.start(due), from: facts.labels, to: next, cause: cause))
                facts.labels = next
            }
            facts.dueDay = facts.nextDue(after: due, rules: rules)
        }
        return changes
    }

    /// A page of the customers carrying `filter` at business time `at` (ms), in id order.
    ///
    /// One prefix scan of the label's index (intervals that started by `at` and had not ended);
    /// beyond the processed time, customers with due time-driven changes are re-judged by `state`.
    public static func customers(_ reader: ReadModelReader, _ filter: StateCycleFilter, at time: Int64,
                                 after: String? = nil, limit: Int = 100) throws -> StateCustomerPage {
        var matching = Set<String>()
        let prefix = filter.prefix
        try reader.scan(StateCycleProjector.byLabel, prefix: prefix) { key, span in
            let parts = ReadModelKey.split(String(key.dropFirst(prefix.count)))
            guard parts.count == 2, let from = ReadModelKey.number(parts[0]) else { return true }
            if from > time { return false }
            if span.to.map({ time < $0 }) ?? true { matching.insert(parts[1]) }
            return true
        }
        // Time-driven changes not recorded: only customers whose due day has come by `time`.
        let limitKey = ReadModelKey.sortable(BusinessDay.of(time)) + "\u{1}"
        var due = Set<String>()
        try reader.scan(StateCycleProjector.schedule) { key, ids in
            guard key.utf8.lexicographicallyPrecedes(limitKey.utf8) else { return false }
            due.formUnion(ids)
            return true
        }
        for id in due.sorted() {
            guard let answer = try state(reader, customerId: id, at: time) else { continue }
            if filter.matches(answer.interval.labels) { matching.insert(id) } else { matching.remove(id) }
        }
        let ordered = matching.sorted()
        let start = after.map { cursor in ordered.firstIndex { $0 > cursor } ?? ordered.endIndex } ?? 0
        let page = Array(ordered[start...].prefix(max(1, limit)))
        let next = start + page.count < ordered.count ? page.last : nil
        return StateCustomerPage(customerIds: page, total: ordered.count, next: next)
    }

    /// The transitions with business time in `[from, to)`: one range scan of `transitions`.
    public static func transitions(_ reader: ReadModelReader, from: Int64, to: Int64) throws -> StateTransitionReport {
        var states: [String: [String: Int]] = [:]
        var values: [String: [String: Int]] = [:]
        var report = StateTransitionReport(from: from, to: to, states: [], values: [], valueUpgrades: 0, valueDowngrades: 0, riskRises: 0,
                                           riskFalls: 0, registered: 0, newCustomers: 0, lost: 0, wonBack: 0, merged: 0,
                                           reflectsUntil: try processedUntil(reader) ?? 0)
        func tally(_ transition: StateTransition) {
            let next = transition.to
            guard let previous = transition.from else {
                report.registered += 1
                if next.state == .merged { report.merged += 1 }
                return
            }
            if previous.state != next.state {
                states[previous.state.rawValue, default: [:]][next.state.rawValue, default: 0] += 1
                switch (previous.state, next.state) {
                case (.prospect, .active), (.prospect, .atRisk), (.inactive, .active), (.inactive, .atRisk): report.newCustomers += 1
                case (.churned, .wonBack): report.wonBack += 1
                default: break
                }
                if next.state == .churned { report.lost += 1 }
                if next.state == .merged { report.merged += 1 }
            }
            if previous.value != next.value {
                values[previous.value.rawValue, default: [:]][next.value.rawValue, default: 0] += 1
                if next.value > previous.value { report.valueUpgrades += 1 } else { report.valueDowngrades += 1 }
            }
            if next.risk > previous.risk { report.riskRises += 1 } else if next.risk < previous.risk { report.riskFalls += 1 }
        }
        let start = ReadModelKey.sortable(from - 1) + "\u{1}"
        let end = ReadModelKey.sortable(to)
        try reader.scan(StateCycleProjector.transitions, after: start) { key, transition in
            guard key.utf8.lexicographicallyPrecedes(end.utf8) else { return false }
            tally(transition)
            return true
        }
        for transition in try unfiredChanges(reader) where transition.at >= from && transition.at < to { tally(transition) }
        func cells(_ matrix: [String: [String: Int]]) -> [StateTransitionReport.Cell] {
            matrix.flatMap { from, row in row.map { StateTransitionReport.Cell(from: from, to: $0.key, count: $0.value) } }
                .sorted { ($0.from, $0.to) < ($1.from, $1.to) }
        }
        report.states = cells(states)
        report.values = cells(values)
        return report
    }
}
