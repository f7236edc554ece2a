/// Everything one `crm bench` run measured, in the form `--json` prints and the markdown is made from.
///
/// Figures are only comparable within one report: the ratios are computed per repetition (each
/// subject measured seconds apart, under the same disk conditions) and only then reduced to a median.
public struct BenchmarkReport: Sendable, Codable {
    public var configuration: BenchmarkConfiguration
    public var machine: MachineFacts
    /// Bytes of event data in every appended event.
    public var payloadBytes: Int
    /// The fsync probe's median latency (ms), measured at the start of each repetition.
    public var fsyncMilliseconds: SampleSet
    public var appends: [AppendScenarioResult]
    public var scans: [ScanResult]
    public var targets: [TargetCheck]
    /// Wall time of the whole run, setup and scans included.
    public var elapsedSeconds: Double

    /// True when every target of the issue is met in this run.
    public var allTargetsMet: Bool { targets.allSatisfy(\.met) }
}

/// One append scenario: every subject's throughput and the EventStore's ratios to the references.
public struct AppendScenarioResult: Sendable, Codable {
    public var scenario: AppendScenario
    /// In the order the subjects ran: EventStore, bare LMDB, SQLite.
    public var subjects: [SubjectThroughput]
    /// EventStore events/s divided by the bare baseline's, per repetition.
    public var eventStoreOverBare: SampleSet
    /// EventStore events/s divided by SQLite's, per repetition.
    public var eventStoreOverSQLite: SampleSet

    /// The throughput of one subject, if it ran.
    public func throughput(of kind: SubjectKind) -> SubjectThroughput? {
        subjects.first { $0.subject == kind }
    }
}

/// One subject's throughput in one scenario.
public struct SubjectThroughput: Sendable, Codable {
    public var subject: SubjectKind
    /// Committed events per second, one sample per repetition.
    public var eventsPerSecond: SampleSet
    /// Events divided by write transactions over all repetitions: the average group-commit size
    /// (always the append size for SQLite, which commits each append alone).
    public var eventsPerCommit: Double
    /// Process CPU time (user + system, every thread) per committed event, over all repetitions.
    public var cpuMicrosecondsPerEvent: Double
    /// Bytes handed to the kernel by `write`-family calls per committed event, over all
    /// repetitions (nil where `/proc/self/io` is unavailable): the write amplification.
    public var bytesWrittenPerEvent: Double?
}

/// One full scan of a log, repeated.
public struct ScanResult: Sendable, Codable {
    public var kind: ScanKind
    /// Events in the scanned log (every repetition is checked to have seen exactly these).
    public var events: Int
    /// Events over wall time: the figure the target is judged on.
    public var eventsPerSecond: SampleSet
    /// Events over the process's CPU time (user + system) during the scan. A scan is one thread
    /// working in memory, so on an idle machine this equals `eventsPerSecond`; when other work
    /// shares the cores it shows what the scan itself costs.
    public var eventsPerCPUSecond: SampleSet
}
