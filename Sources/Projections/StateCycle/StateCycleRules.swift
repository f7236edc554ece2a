/// The versioned rule set that turns a customer's facts into a lifecycle state, a risk grade and
/// an RFM value grade (the design documents' "customer state cycle").
///
/// The rules are data, not code, so that an analyst can try other thresholds on the whole history
/// (`engine.replay(StateCycleProjector(rules: other), as: "what-if")`) and compare; the projector's
/// `version` includes `version` here, so shipping a changed default rule set rebuilds the live read
/// model. Bump `version` with every change of a default.
///
/// Time is counted in whole UTC days (`BusinessDay`): a fact of day `x` is "within the last N days"
/// on days `x … x+N-1`, and a time-driven change falls due at 00:00 UTC of the first day on which it
/// holds. The rules, in the order they are applied (see also `RULES.md`):
///
/// **Paid order** — an `InvoiceSettled`: the invoice (billing a fulfilled order) is paid in full.
/// Its day counts for recency and frequency, its total (in `currency` only) for monetary value.
///
/// **Activity** — `InteractionLogged` and `OrderPlaced` of the customer, counted per day.
/// *Falling* when the previous `activityWindowDays` had at least `minimumPreviousActivity` and the
/// last `activityWindowDays` have fewer than `activityDropPercent` % of them.
///
/// **Risk points** — open overdue invoices (`InvoiceMarkedOverdue`, until settled or written off):
/// 1 point for one, 2 for `overdueInvoicesForTwoPoints` or more; a write-off in the last
/// `writeOffWindowDays`: 2 points; complaint cases (`CaseOpened` with `isComplaint`) in the last
/// `complaintWindowDays`: 1 point for one, 2 for `complaintsForTwoPoints` or more; falling
/// activity: 1 point. **Risk grade**: 0 points low, `highRiskPoints` or more high, else medium.
///
/// **RFM** (only once paid): recency = days since the last paid order, scored 5 below
/// `recencyDays[0]`, 4 below `[1]`, 3 below `[2]`, 2 below `[3]`, else 1; frequency = paid orders
/// in the last `rfmWindowDays`, scored 1 + the number of `frequencyCounts` reached; monetary = their
/// total in minor units, scored 1 + the number of `monetaryMinorUnits` reached. **Value grade**
/// from the sum R+F+M: `a` from `valueGradeMinimums[0]`, `b` from `[1]`, `c` from `[2]`, else `d`;
/// `none` before the first paid order.
///
/// **Lifecycle state**, first rule that applies:
/// 1. `merged` — the customer was absorbed by another (terminal).
/// 2. deactivated (`CustomerDeactivated`, until `CustomerReactivated`): `churned` if it ever paid,
///    else `inactive`.
/// 3. never paid: `inactive` after `prospectInactiveAfterDays` without activity (registration,
///    interaction, order, case, reactivation), else `prospect`.
/// 4. `churned` when `churnAfterDays` have passed since the later of the last paid order and the
///    last reactivation.
/// 5. `wonBack` when the previous state was `churned` (this starts the win-back), and for
///    `wonBackDays` after that.
/// 6. `atRisk` when the risk grade is high or activity is falling.
/// 7. `active`.
public struct StateCycleRules: Sendable, Codable, Equatable {
    /// Version of this rule set; part of the projector's version.
    public var version: Int
    /// Days without a paid order (since the last one or the last reactivation) after which a paying
    /// customer is churned.
    public var churnAfterDays: Int
    /// How long a customer stays `wonBack` after coming back from `churned`.
    public var wonBackDays: Int
    /// Days without any activity after which a prospect (never paid) becomes `inactive`.
    public var prospectInactiveAfterDays: Int
    /// Length of the two activity windows compared (recent and previous), in days.
    public var activityWindowDays: Int
    /// Recent activity below this percentage of the previous window is a fall.
    public var activityDropPercent: Int
    /// Smallest previous-window activity for which a fall is judged at all.
    public var minimumPreviousActivity: Int
    /// Complaints count for this many days.
    public var complaintWindowDays: Int
    /// Complaints within the window that give two risk points (one gives one).
    public var complaintsForTwoPoints: Int
    /// Open overdue invoices that give two risk points (one gives one).
    public var overdueInvoicesForTwoPoints: Int
    /// A write-off gives two risk points for this many days.
    public var writeOffWindowDays: Int
    /// Risk points from which the grade is high.
    public var highRiskPoints: Int
    /// The window of frequency and monetary value, in days.
    public var rfmWindowDays: Int
    /// Ascending day limits of the recency scores 5, 4, 3, 2 (four values).
    public var recencyDays: [Int]
    /// Ascending paid-order counts reached for frequency scores 2, 3, 4, 5 (four values).
    public var frequencyCounts: [Int]
    /// Ascending totals (minor units) reached for monetary scores 2, 3, 4, 5 (four values).
    public var monetaryMinorUnits: [Int64]
    /// The currency whose amounts count for monetary value; others count for R and F only.
    public var currency: String
    /// Smallest R+F+M sums for grades a, b, c (descending, three values).
    public var valueGradeMinimums: [Int]

    /// The default rule set (version 1), tuned on the simulated company (one to three paid orders
    /// a year of a few thousand EUR each): grade `a` is kept for recent, frequent, large buyers, most
    /// paying customers grade `b`–`d`, and a few percent are at risk at any time.
    public init(version: Int = 1, churnAfterDays: Int = 365, wonBackDays: Int = 90, prospectInactiveAfterDays: Int = 180,
                activityWindowDays: Int = 90, activityDropPercent: Int = 50, minimumPreviousActivity: Int = 4,
                complaintWindowDays: Int = 90, complaintsForTwoPoints: Int = 2, overdueInvoicesForTwoPoints: Int = 2,
                writeOffWindowDays: Int = 365, highRiskPoints: Int = 3, rfmWindowDays: Int = 365,
                recencyDays: [Int] = [30, 90, 180, 365], frequencyCounts: [Int] = [2, 3, 5, 8],
                monetaryMinorUnits: [Int64] = [100_000, 300_000, 1_000_000, 5_000_000], currency: String = "EUR",
                valueGradeMinimums: [Int] = [11, 9, 7]) {
        self.version = version
        self.churnAfterDays = churnAfterDays
        self.wonBackDays = wonBackDays
        self.prospectInactiveAfterDays = prospectInactiveAfterDays
        self.activityWindowDays = activityWindowDays
        self.activityDropPercent = activityDropPercent
        self.minimumPreviousActivity = minimumPreviousActivity
        self.complaintWindowDays = complaintWindowDays
        self.complaintsForTwoPoints = complaintsForTwoPoints
        self.overdueInvoicesForTwoPoints = overdueInvoicesForTwoPoints
        self.writeOffWindowDays = writeOffWindowDays
        self.highRiskPoints = highRiskPoints
        self.rfmWindowDays = rfmWindowDays
        self.recencyDays = recencyDays
        self.frequencyCounts = frequencyCounts
        self.monetaryMinorUnits = monetaryMinorUnits
        self.currency = currency
        self.valueGradeMinimums = valueGradeMinimums
    }

    /// The rules the live read model uses.
    public static let standard = StateCycleRules()
}
