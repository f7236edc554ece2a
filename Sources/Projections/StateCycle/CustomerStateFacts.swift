/// What the state cycle knows about one customer: the facts the rules read (kept only as far back
/// as a window can still see them), the current interval, and when the customer is next due for a
/// time-driven re-evaluation.
///
/// The rules are evaluated on these facts alone (`evaluate(on:rules:)`), so the projector, the
/// as-of query (which applies pending time-driven changes) and a replay under other rules all
/// derive states the same way.
public struct CustomerStateFacts: Sendable, Codable, Equatable {
    /// A number of facts on one day.
    public struct DayCount: Sendable, Codable, Equatable {
        public var day: Int64
        public var count: Int
    }

    /// Paid orders on one day and their total (minor units of the rule set's currency).
    public struct DayAmount: Sendable, Codable, Equatable {
        public var day: Int64
        public var count: Int
        public var minorUnits: Int64
    }

    public var customerId: String
    /// Set once the customer was absorbed by a merge: its later events count for the survivor.
    public var mergedInto: String?
    /// Deactivated and not reactivated since.
    public var deactivated: Bool
    /// Day of the last reactivation (restarts the churn clock).
    public var reactivatedDay: Int64?
    /// Day of the last registration, interaction, order, case, payment or reactivation.
    public var lastActivityDay: Int64
    /// Day of the last paid order (never pruned: recency and "ever paid" read it).
    public var lastPaidDay: Int64?
    /// Paid orders per day within the RFM window.
    public var paid: [DayAmount]
    /// Interactions and orders per day within the two activity windows.
    public var activity: [DayCount]
    /// Complaint cases per day within the complaint window.
    public var complaints: [DayCount]
    /// Write-offs per day within the write-off window.
    public var writeOffs: [DayCount]
    /// Ids of invoices marked overdue and not yet settled or written off, sorted.
    public var overdue: [String]
    /// Day the customer came back from `churned`.
    public var wonBackDay: Int64?
    /// The current (open) interval: its labels and start (ms).
    public var labels: StateLabels
    public var since: Int64
    /// The interval before it, so that a second change at the same instant can be folded back.
    public var previous: StateLabels?
    public var previousSince: Int64?
    /// Day of the next scheduled re-evaluation, nil when nothing can change with time alone.
    public var dueDay: Int64?
    /// The customer's last event (the cause named by time-driven changes).
    public var lastPosition: UInt64
    public var lastEventType: String

    /// A customer first seen on `day` (its labels are set by the first evaluation).
    public init(customerId: String, day: Int64, at time: Int64, position: UInt64, eventType: String) {
        self.customerId = customerId
        deactivated = false
        lastActivityDay = day
        paid = []
        activity = []
        complaints = []
        writeOffs = []
        overdue = []
        labels = StateLabels(state: .prospect, risk: .low, value: .none, recency: 0, frequency: 0, monetary: 0)
        since = time
        lastPosition = position
        lastEventType = eventType
    }
}

extension CustomerStateFacts {
    // MARK: Recording facts

    static func add(_ day: Int64, _ count: Int, to list: inout [DayCount]) {
        if let last = list.indices.last, list[last].day == day { list[last].count += count; return }
        let index = list.firstIndex { $0.day > day } ?? list.endIndex
        if index > 0, list[index - 1].day == day { list[index - 1].count += count } else { list.insert(DayCount(day: day, count: count), at: index) }
    }

    static func add(_ entry: DayAmount, to list: inout [DayAmount]) {
        let index = list.firstIndex { $0.day >= entry.day } ?? list.endIndex
        if index < list.endIndex, list[index].day == entry.day {
            list[index].count += entry.count
            list[index].minorUnits += entry.minorUnits
        } else {
            list.insert(entry, at: index)
        }
    }

    /// An interaction or an order on `day`.
    mutating func recordActivity(on day: Int64) {
        Self.add(day, 1, to: &activity)
        lastActivityDay = max(lastActivityDay, day)
    }

    /// A paid order (settled invoice) on `day`; `minorUnits` counts for monetary value when the
    /// currency is the rule set's.
    mutating func recordPaidOrder(on day: Int64, minorUnits: Int64) {
        Self.add(DayAmount(day: day, count: 1, minorUnits: minorUnits), to: &paid)
        lastPaidDay = max(lastPaidDay ?? day, day)
        lastActivityDay = max(lastActivityDay, day)
    }

    mutating func markOverdue(_ invoiceId: String) {
        let index = overdue.firstIndex { $0 >= invoiceId } ?? overdue.endIndex
        if index < overdue.endIndex, overdue[index] == invoiceId { return }
        overdue.insert(invoiceId, at: index)
    }

    mutating func clearOverdue(_ invoiceId: String) {
        overdue.removeAll { $0 == invoiceId }
    }

    /// Takes over the facts of a customer it absorbed (its purchases, activity, arrears and
    /// complaints are the same real customer's); its own lifecycle (deactivation, win-back) stays.
    mutating func absorb(_ other: CustomerStateFacts) {
        for entry in other.activity { Self.add(entry.day, entry.count, to: &activity) }
        for entry in other.complaints { Self.add(entry.day, entry.count, to: &complaints) }
        for entry in other.writeOffs { Self.add(entry.day, entry.count, to: &writeOffs) }
        for entry in other.paid { Self.add(entry, to: &paid) }
        for invoice in other.overdue { markOverdue(invoice) }
        if let day = other.lastPaidDay { lastPaidDay = max(lastPaidDay ?? day, day) }
        lastActivityDay = max(lastActivityDay, other.lastActivityDay)
    }

    // MARK: Evaluating the rules

    /// Drops facts no window can see any more on `day` or later.
    mutating func prune(on day: Int64, rules: StateCycleRules) {
        let activitySpan = Int64(2 * rules.activityWindowDays)
        if let first = activity.first, first.day + activitySpan <= day { activity.removeAll { $0.day + activitySpan <= day } }
        let complaintSpan = Int64(rules.complaintWindowDays)
        if let first = complaints.first, first.day + complaintSpan <= day { complaints.removeAll { $0.day + complaintSpan <= day } }
        let writeOffSpan = Int64(rules.writeOffWindowDays)
        if let first = writeOffs.first, first.day + writeOffSpan <= day { writeOffs.removeAll { $0.day + writeOffSpan <= day } }
        let rfmSpan = Int64(rules.rfmWindowDays)
        if let first = paid.first, first.day + rfmSpan <= day { paid.removeAll { $0.day + rfmSpan <= day } }
    }

    /// Interactions and orders in the last window and in the one before, on `day`.
    func activityCounts(on day: Int64, rules: StateCycleRules) -> (recent: Int, previous: Int) {
        let window = Int64(rules.activityWindowDays)
        var recent = 0
        var previous = 0
        for entry in activity {
            let age = day - entry.day
            if age < 0 { continue }
            if age < window { recent += entry.count } else if age < 2 * window { previous += entry.count }
        }
        return (recent, previous)
    }

    /// Whether activity is falling on `day`.
    func isActivityFalling(on day: Int64, rules: StateCycleRules) -> Bool {
        let (recent, previous) = activityCounts(on: day, rules: rules)
        return previous >= rules.minimumPreviousActivity && recent * 100 < previous * rules.activityDropPercent
    }

    /// The risk points on `day`.
    func riskPoints(on day: Int64, rules: StateCycleRules) -> Int {
        var points = 0
        if overdue.count >= rules.overdueInvoicesForTwoPoints { points += 2 } else if !overdue.isEmpty { points += 1 }
        if writeOffs.contains(where: { day - $0.day < Int64(rules.writeOffWindowDays) && day >= $0.day }) { points += 2 }
        let complaintCount = complaints.reduce(0) { $0 + (day - $1.day < Int64(rules.complaintWindowDays) && day >= $1.day ? $1.count : 0) }
        if complaintCount >= rules.complaintsForTwoPoints { points += 2 } else if complaintCount > 0 { points += 1 }
        if isActivityFalling(on: day, rules: rules) { points += 1 }
        return points
    }

    /// Labels on `day` without the win-back rule (which depends on the state before).
    func baseLabels(on day: Int64, rules: StateCycleRules) -> StateLabels {
        let points = riskPoints(on: day, rules: rules)
        let risk: RiskGrade = points >= rules.highRiskPoints ? .high : points > 0 ? .medium : .low
        var value = ValueGrade.none
        var r = 0, f = 0, m = 0
        if let lastPaid = lastPaidDay {
            let age = day - lastPaid
            r = 5 - (rules.recencyDays.firstIndex { age < Int64($0) } ?? 4)
            var count = 0
            var total: Int64 = 0
            for entry in paid where day - entry.day < Int64(rules.rfmWindowDays) && day >= entry.day {
                count += entry.count
                total += entry.minorUnits
            }
            f = 1 + rules.frequencyCounts.filter { count >= $0 }.count
            m = 1 + rules.monetaryMinorUnits.filter { total >= $0 }.count
            let sum = r + f + m
            value = sum >= rules.valueGradeMinimums[0] ? .a : sum >= rules.valueGradeMinimums[1] ? .b : sum >= rules.valueGradeMinimums[2] ? .c : .d
        }
        let state: LifecycleState
        if mergedInto != nil {
            state = .merged
        } else if deactivated {
            state = lastPaidDay == nil ? .inactive : .churned
        } else if let lastPaid = lastPaidDay {
            if day - max(lastPaid, reactivatedDay ?? lastPaid) >= Int64(rules.churnAfterDays) {
                state = .churned
            } else {
                state = risk == .high || isActivityFalling(on: day, rules: rules) ? .atRisk : .active
            }
        } else {
            state = day - lastActivityDay >= Int64(rules.prospectInactiveAfterDays) ? .inactive : .prospect
        }
        return StateLabels(state: state, risk: risk, value: value, recency: r, frequency: f, monetary: m)
    }

    /// The labels on `day`, applying the win-back rule against the current state (a customer
    /// leaving `churned` starts its win-back period here). Prunes facts first.
    mutating func evaluate(on day: Int64, rules: StateCycleRules) -> StateLabels {
        prune(on: day, rules: rules)
        var next = baseLabels(on: day, rules: rules)
        if next.state == .active || next.state == .atRisk {
            if labels.state == .churned {
                wonBackDay = day
                next.state = .wonBack
            } else if let wonBack = wonBackDay, day - wonBack < Int64(rules.wonBackDays) {
                next.state = .wonBack
            }
        }
        return next
    }

    /// The first day after `day` on which time alone may change the labels (a window boundary of
    /// some fact), nil when none: the schedule's due day.
    func nextDue(after day: Int64, rules: StateCycleRules) -> Int64? {
        guard mergedInto == nil else { return nil }
        var best: Int64?
        func consider(_ candidate: Int64) {
            if candidate > day, best.map({ candidate < $0 }) ?? true { best = candidate }
        }
        let window = Int64(rules.activityWindowDays)
        for entry in activity {
            consider(entry.day + window)
            consider(entry.day + 2 * window)
        }
        for entry in complaints { consider(entry.day + Int64(rules.complaintWindowDays)) }
        for entry in writeOffs { consider(entry.day + Int64(rules.writeOffWindowDays)) }
        for entry in paid { consider(entry.day + Int64(rules.rfmWindowDays)) }
        if let lastPaid = lastPaidDay {
            for limit in rules.recencyDays { consider(lastPaid + Int64(limit)) }
            if !deactivated { consider(max(lastPaid, reactivatedDay ?? lastPaid) + Int64(rules.churnAfterDays)) }
        } else if !deactivated {
            consider(lastActivityDay + Int64(rules.prospectInactiveAfterDays))
        }
        if let wonBack = wonBackDay { consider(wonBack + Int64(rules.wonBackDays)) }
        return best
    }
}

extension CustomerStateFacts: BinaryValueWritable {
    func writeBinary(into output: inout [UInt8]) {
        var optionals = (dueDay == nil ? 0 : 1) + (lastPaidDay == nil ? 0 : 1) + (mergedInto == nil ? 0 : 1)
        optionals += (previous == nil ? 0 : 1) + (previousSince == nil ? 0 : 1) + (reactivatedDay == nil ? 0 : 1) + (wonBackDay == nil ? 0 : 1)
        output.appendObjectHeader(count: 12 + optionals)
        output.appendEntryKey("activity"); output.appendArray(activity) { $1.writeBinary(into: &$0) }
        output.appendEntryKey("complaints"); output.appendArray(complaints) { $1.writeBinary(into: &$0) }
        output.appendEntryKey("customerId"); output.appendString(customerId)
        output.appendEntryKey("deactivated"); output.appendBool(deactivated)
        if let dueDay { output.appendEntryKey("dueDay"); output.appendSigned(dueDay) }
        output.appendEntryKey("labels"); labels.writeBinary(into: &output)
        output.appendEntryKey("lastActivityDay"); output.appendSigned(lastActivityDay)
        output.appendEntryKey("lastEventType"); output.appendString(lastEventType)
        if let lastPaidDay { output.appendEntryKey("lastPaidDay"); output.appendSigned(lastPaidDay) }
        output.appendEntryKey("lastPosition"); output.appendUnsigned(lastPosition)
        if let mergedInto { output.appendEntryKey("mergedInto"); output.appendString(mergedInto) }
        output.appendEntryKey("overdue"); output.appendStrings(overdue)
        output.appendEntryKey("paid"); output.appendArray(paid) { $1.writeBinary(into: &$0) }
        if let previous { output.appendEntryKey("previous"); previous.writeBinary(into: &output) }
        if let previousSince { output.appendEntryKey("previousSince"); output.appendSigned(previousSince) }
        if let reactivatedDay { output.appendEntryKey("reactivatedDay"); output.appendSigned(reactivatedDay) }
        output.appendEntryKey("since"); output.appendSigned(since)
        if let wonBackDay { output.appendEntryKey("wonBackDay"); output.appendSigned(wonBackDay) }
        output.appendEntryKey("writeOffs"); output.appendArray(writeOffs) { $1.writeBinary(into: &$0) }
    }
}

extension CustomerStateFacts.DayCount: BinaryValueWritable {
    func writeBinary(into output: inout [UInt8]) {
        output.appendObjectHeader(count: 2)
        output.appendEntryKey("count"); output.appendSigned(Int64(count))
        output.appendEntryKey("day"); output.appendSigned(day)
    }
}

extension CustomerStateFacts.DayAmount: BinaryValueWritable {
    func writeBinary(into output: inout [UInt8]) {
        output.appendObjectHeader(count: 3)
        output.appendEntryKey("count"); output.appendSigned(Int64(count))
        output.appendEntryKey("day"); output.appendSigned(day)
        output.appendEntryKey("minorUnits"); output.appendSigned(minorUnits)
    }
}

extension CustomerStateFacts: BinaryValueReadable {
    /// The entries in the order `writeBinary` writes them.
    static func readBinary(_ reader: inout BinaryValueReader) -> CustomerStateFacts? {
        guard let count = reader.objectHeader(),
              reader.key("activity"), let activity = reader.array(DayCount.readBinary),
              reader.key("complaints"), let complaints = reader.array(DayCount.readBinary),
              reader.key("customerId"), let customerId = reader.string(),
              reader.key("deactivated"), let deactivated = reader.bool(),
              let dueDay = reader.optional("dueDay", { $0.signed() }),
              reader.key("labels"), let labels = StateLabels.readBinary(&reader),
              reader.key("lastActivityDay"), let lastActivityDay = reader.signed(),
              reader.key("lastEventType"), let lastEventType = reader.string(),
              let lastPaidDay = reader.optional("lastPaidDay", { $0.signed() }),
              reader.key("lastPosition"), let lastPosition = reader.unsigned(),
              let mergedInto = reader.optional("mergedInto", { $0.string() }),
              reader.key("overdue"), let overdue = reader.array({ $0.string() }),
              reader.key("paid"), let paid = reader.array(DayAmount.readBinary),
              let previous = reader.optional("previous", StateLabels.readBinary),
              let previousSince = reader.optional("previousSince", { $0.signed() }),
              let reactivatedDay = reader.optional("reactivatedDay", { $0.signed() }),
              reader.key("since"), let since = reader.signed(),
              let wonBackDay = reader.optional("wonBackDay", { $0.signed() }),
              reader.key("writeOffs"), let writeOffs = reader.array(DayCount.readBinary) else { return nil }
        let optionals: [Any?] = [dueDay, lastPaidDay, mergedInto, previous, previousSince, reactivatedDay, wonBackDay]
        guard count == 12 + optionals.count(where: { $0 != nil }) else { return nil }
        var facts = CustomerStateFacts(customerId: customerId, day: lastActivityDay, at: since, position: lastPosition, eventType: lastEventType)
        facts.activity = activity
        facts.complaints = complaints
        facts.deactivated = deactivated
        facts.dueDay = dueDay
        facts.labels = labels
        facts.lastPaidDay = lastPaidDay
        facts.mergedInto = mergedInto
        facts.overdue = overdue
        facts.paid = paid
        facts.previous = previous
        facts.previousSince = previousSince
        facts.reactivatedDay = reactivatedDay
        facts.wonBackDay = wonBackDay
        facts.writeOffs = writeOffs
        return facts
    }
}

extension CustomerStateFacts.DayCount: BinaryValueReadable {
    static func readBinary(_ reader: inout BinaryValueReader) -> Self? {
        guard reader.objectHeader() == 2, reader.key("count"), let count = reader.int(), reader.key("day"), let day = reader.signed() else { return nil }
        return Self(day: day, count: count)
    }
}

extension CustomerStateFacts.DayAmount: BinaryValueReadable {
    static func readBinary(_ reader: inout BinaryValueReader) -> Self? {
        guard reader.objectHeader() == 3, reader.key("count"), let count = reader.int(), reader.key("day"), let day = reader.signed(),
              reader.key("minorUnits"), let minorUnits = reader.signed() else { return nil }
        return Self(day: day, count: count, minorUnits: minorUnits)
    }
}
