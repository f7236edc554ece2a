/// One of the performance targets, with the figure this run measured for it.
///
/// The report states each target as met or missed and by how much, so a missed target is visible in
/// the benchmark output itself rather than only in prose.
public struct TargetCheck: Sendable, Codable {
    /// What the issue asks, in words.
    public var name: String
    /// The threshold: a ratio (0.6 is 60 %) or events per second.
    public var required: Double
    /// The run's median for it.
    public var measured: Double
    /// Whether `required` and `measured` are ratios (EventStore ÷ reference) rather than events/s.
    public var isRatio: Bool
    public var met: Bool
    /// How far below the threshold the measurement is, as a fraction of the threshold (0 when met).
    public var shortfall: Double

    init(name: String, required: Double, measured: Double, isRatio: Bool) {
        self.name = name
        self.required = required
        self.measured = measured
        self.isRatio = isRatio
        met = measured >= required
        shortfall = met ? 0 : (required - measured) / required
    }

    /// The targets, evaluated against a run's results. A target whose scenario or scan did
    /// not run is left out.
    static func evaluate(appends: [AppendScenarioResult], scans: [ScanResult]) -> [TargetCheck] {
        var checks: [TargetCheck] = []
        let single64 = appends.first { $0.scenario == AppendScenario(writers: 64, eventsPerAppend: 1) }
        if let single64 {
            checks.append(TargetCheck(name: "64 writers × 1 event: EventStore ≥ 60 % of bare LMDB",
                                      required: 0.60, measured: single64.eventStoreOverBare.median, isRatio: true))
            checks.append(TargetCheck(name: "64 writers × 1 event: EventStore ≥ 6× SQLite",
                                      required: 6, measured: single64.eventStoreOverSQLite.median, isRatio: true))
        }
        let batch8 = appends.first { $0.scenario == AppendScenario(writers: 8, eventsPerAppend: 100) }
        if let batch8 {
            checks.append(TargetCheck(name: "8 writers × 100 events: EventStore ≥ 50 % of bare LMDB",
                                      required: 0.50, measured: batch8.eventStoreOverBare.median, isRatio: true))
            checks.append(TargetCheck(name: "8 writers × 100 events: EventStore ≥ 3× SQLite",
                                      required: 3, measured: batch8.eventStoreOverSQLite.median, isRatio: true))
        }
        if let headers = scans.first(where: { $0.kind == .eventStoreHeaders }) {
            checks.append(TargetCheck(name: "full header scan ≥ 2,000,000 events/s",
                                      required: 2_000_000, measured: headers.eventsPerSecond.median, isRatio: false))
        }
        return checks
    }
}
