/// Questions answered by the state cycle read model (live, as-of, rebuilt or a scratch replay under
/// other rules: every function takes the generation's reader).
///
/// Everything is answered from the stored history; nothing is replayed. Only a time beyond what the
/// read model has processed needs the pending time-driven changes, which are derived from the
/// customer's stored facts with the rules the model was built with.
public enum StateCycleQueries {
    /// A page of a customer's intervals, oldest first; `after` is the previous page's `next`.
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
        return StateHistoryPage(intervals: intervals, next: next)
    }

    /// The business time (ms) the read model has processed, nil when it is empty.
    public static func processedUntil(_ reader: ReadModelReader) throws -> Int64? {
        try reader.get(StateCycleProjector.clock, StateCycleProjector.clockKey)?.time
    }

    /// The rule set the read model was built with.
    public static func rules(_ reader: ReadModelReader) throws -> StateCycleRules {
        try reader.get(StateCycleProjector.ruleSet, StateCycleProjector.clockKey) ?? .standard
    }

    /// The customer's state at business time `at` (ms): the interval holding it, from the history.
    /// When `at` falls in the current interval and a time-driven change is due by then, that
    /// change (and any following it) is applied to a copy of the stored facts, exactly as the
    /// projector will when the next event arrives; the answer is then `projected`. Nil before the
    /// customer's first interval or for an unknown customer.
    public static func state(_ reader: ReadModelReader, customerId: String, at time: Int64) throws -> CustomerStateAsOf? {
        var found: StateInterval?
        let prefix = ReadModelKey.prefix(customerId)
        try reader.scanBackward(StateCycleProjector.history, prefix: prefix, before: prefix + ReadModelKey.sortable(time) + "\u{1}") { _, interval in
            found = interval
            return false
        }
        guard let interval = found else { return nil }
        guard interval.to == nil, let facts = try reader.get(StateCycleProjector.facts, customerId),
              let due = facts.dueDay, BusinessDay.start(due) <= time else {
            return CustomerStateAsOf(customerId: customerId, at: time, interval: interval, projected: false)
        }
        let projected = project(facts, from: interval, until: time, rules: try rules(reader))
        return CustomerStateAsOf(customerId: customerId, at: time, interval: projected.interval, projected: projected.changed)
    }

    /// Applies the scheduled time-driven re-evaluations of `facts` up to `time`.
    static func project(_ stored: CustomerStateFacts, from interval: StateInterval, until time: Int64, rules: StateCycleRules) -> (interval: StateInterval, changed: Bool) {
        var facts = stored
        var current = interval
        var changed = false
        while let due = facts.dueDay, BusinessDay.start(due) <= time {
            facts.dueDay = nil
            let next = facts.evaluate(on: due, rules: rules)
            if next != facts.labels {
                let cause = StateChangeCause(position: facts.lastPosition, eventType: facts.lastEventType, timeDriven: true)
                current = StateInterval(customerId: facts.customerId, from: BusinessDay.start(due), to: nil, labels: next, cause: cause)
                facts.labels = next
                changed = true
            }
            facts.dueDay = facts.nextDue(after: due, rules: rules)
        }
        return (current, changed)
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
        // Pending time-driven changes: only customers whose due day has come by `time`.
        let limitKey = ReadModelKey.sortable(BusinessDay.of(time)) + "\u{1}"
        var due = Set<String>()
        try reader.scan(StateCycleProjector.schedule) { key, ids in
            guard key.utf8.lexicographicallyPrecedes(limitKey.utf8) else { return false }
            due.formUnion(ids)
            return true
        }
        for id in due.sorted() {
            guard let answer = try state(reader, customerId: id, at: time), answer.projected else { continue }
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
        let start = ReadModelKey.sortable(from - 1) + "\u{1}"
        let end = ReadModelKey.sortable(to)
        try reader.scan(StateCycleProjector.transitions, after: start) { key, transition in
            guard key.utf8.lexicographicallyPrecedes(end.utf8) else { return false }
            let next = transition.to
            guard let previous = transition.from else {
                report.registered += 1
                if next.state == .merged { report.merged += 1 }
                return true
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
            return true
        }
        func cells(_ matrix: [String: [String: Int]]) -> [StateTransitionReport.Cell] {
            matrix.flatMap { from, row in row.map { StateTransitionReport.Cell(from: from, to: $0.key, count: $0.value) } }
                .sorted { ($0.from, $0.to) < ($1.from, $1.to) }
        }
        report.states = cells(states)
        report.values = cells(values)
        return report
    }
}
