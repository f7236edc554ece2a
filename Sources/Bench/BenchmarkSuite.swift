import Foundation

/// Runs the whole benchmark: the append scenarios against the EventStore, the bare LMDB baseline
/// and SQLite, then the full scans, and returns a `BenchmarkReport`.
///
/// Within each repetition every scenario's run is cut into short slices that cycle through the
/// subjects (EventStore, bare LMDB, SQLite, EventStore, …), so the three see the same disk
/// conditions even when the shared disk's fsync latency changes from one second to the next; the
/// ratios are taken per repetition before the median. All data lives in a fresh directory on the same
/// filesystem as real data (the system temporary directory unless configured), removed at the end.
public struct BenchmarkSuite: Sendable {
    public var configuration: BenchmarkConfiguration
    public var scenarios: [AppendScenario]

    public init(configuration: BenchmarkConfiguration = .standard, scenarios: [AppendScenario] = AppendScenario.standard) {
        self.configuration = configuration
        self.scenarios = scenarios
    }

    /// Runs every scenario and scan; `progress` receives one line per measurement as it happens.
    public func run(progress: (String) -> Void = { _ in }) async throws -> BenchmarkReport {
        if let problem = configuration.problem { throw BenchmarkError(problem) }
        let clock = ContinuousClock()
        let started = clock.now
        let parent = configuration.parentDirectory ?? NSTemporaryDirectory()
        let root = URL(fileURLWithPath: parent).appendingPathComponent("crm-bench-\(UUID().uuidString)").path
        let fm = FileManager.default
        try fm.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? fm.removeItem(atPath: root) }

        let machine = MachineFacts.current(dataDirectory: root)
        progress("data in \(root) (\(machine.filesystem)); \(machine.processors) processors; SQLite \(machine.sqliteVersion); \(machine.lmdbVersion)")
        let (appends, fsync) = try await runAppends(in: root + "/appends", progress: progress)
        let scans = try await runScans(in: root + "/scans", progress: progress)
        return BenchmarkReport(
            configuration: configuration, machine: machine, payloadBytes: BenchmarkPayload.data.count,
            fsyncMilliseconds: SampleSet(fsync), appends: appends, scans: scans,
            targets: TargetCheck.evaluate(appends: appends, scans: scans),
            elapsedSeconds: started.duration(to: clock.now).seconds)
    }

    // MARK: Appends

    private struct Tally {
        var eventsPerSecond: [SubjectKind: [Double]] = [:]
        var events: [SubjectKind: UInt64] = [:]
        var commits: [SubjectKind: UInt64] = [:]
        var cpuSeconds: [SubjectKind: Double] = [:]
        var bytesWritten: [SubjectKind: UInt64] = [:]
        var countsBytes = true
    }

    private func runAppends(in directory: String, progress: (String) -> Void) async throws -> ([AppendScenarioResult], [Double]) {
        let subjects = try openSubjects(in: directory)
        defer { subjects.forEach { $0.close() } }

        for subject in subjects where configuration.warmUpSeconds > 0 {
            _ = try await Self.measure(subject, AppendScenario(writers: 8, eventsPerAppend: 1),
                                       seconds: configuration.warmUpSeconds, streamPrefix: "warm-up")
        }
        var tallies = Array(repeating: Tally(), count: scenarios.count)
        var fsync: [Double] = []
        for repetition in 1...configuration.repetitions {
            let probe = try FsyncProbe.medianMilliseconds(in: directory)
            fsync.append(probe)
            progress("repetition \(repetition)/\(configuration.repetitions): fsync probe \(Format.decimal(probe, 2)) ms")
            for (index, scenario) in scenarios.enumerated() {
                var events: [SubjectKind: Int] = [:]
                var seconds: [SubjectKind: Double] = [:]
                var commits: [SubjectKind: UInt64] = [:]
                for _ in 0..<configuration.slicesPerRun {
                    for subject in subjects {
                        let commitsBefore = try subject.commitCount()
                        let countersBefore = ProcessCounters.now()
                        let slice = try await Self.measure(subject, scenario, seconds: configuration.secondsPerRun / Double(configuration.slicesPerRun),
                                                           streamPrefix: "r\(repetition)-s\(index)")
                        let countersAfter = ProcessCounters.now()
                        events[subject.kind, default: 0] += slice.events
                        seconds[subject.kind, default: 0] += slice.seconds
                        commits[subject.kind, default: 0] += try subject.commitCount() - commitsBefore
                        tallies[index].cpuSeconds[subject.kind, default: 0] += countersAfter.cpuSeconds - countersBefore.cpuSeconds
                        if let after = countersAfter.bytesWritten, let before = countersBefore.bytesWritten {
                            tallies[index].bytesWritten[subject.kind, default: 0] += after - before
                        } else {
                            tallies[index].countsBytes = false
                        }
                    }
                }
                for subject in subjects {
                    let kind = subject.kind
                    let rate = Double(events[kind] ?? 0) / (seconds[kind] ?? 1)
                    tallies[index].eventsPerSecond[kind, default: []].append(rate)
                    tallies[index].events[kind, default: 0] += UInt64(events[kind] ?? 0)
                    tallies[index].commits[kind, default: 0] += commits[kind] ?? 0
                    progress("  \(scenario.name), \(kind.rawValue): \(Format.grouped(rate)) events/s, "
                             + "\(Format.decimal(Double(events[kind] ?? 0) / Double(max(commits[kind] ?? 0, 1)), 1)) events/commit")
                }
            }
        }
        let results = zip(scenarios, tallies).map { scenario, tally in
            let rates = { (kind: SubjectKind) in tally.eventsPerSecond[kind] ?? [] }
            let ratios = { (reference: SubjectKind) in
                SampleSet(zip(rates(.eventStore), rates(reference)).map { $0 / $1 })
            }
            return AppendScenarioResult(
                scenario: scenario,
                subjects: subjects.map { subject in
                    let events = Double(max(tally.events[subject.kind] ?? 0, 1))
                    return SubjectThroughput(
                        subject: subject.kind, eventsPerSecond: SampleSet(rates(subject.kind)),
                        eventsPerCommit: events / Double(max(tally.commits[subject.kind] ?? 0, 1)),
                        cpuMicrosecondsPerEvent: (tally.cpuSeconds[subject.kind] ?? 0) * 1_000_000 / events,
                        bytesWrittenPerEvent: tally.countsBytes ? Double(tally.bytesWritten[subject.kind] ?? 0) / events : nil)
                },
                eventStoreOverBare: ratios(.bareLMDB), eventStoreOverSQLite: ratios(.sqlite))
        }
        return (results, fsync)
    }

    /// The three subjects, each in its own directory under `directory`, in the order they run.
    private func openSubjects(in directory: String) throws -> [any AppendSubject] {
        let fm = FileManager.default
        for name in ["eventstore", "bare-lmdb", "sqlite"] {
            try fm.createDirectory(atPath: directory + "/" + name, withIntermediateDirectories: true)
        }
        var opened: [any AppendSubject] = []
        do {
            opened.append(try EventStoreSubject(directory: directory + "/eventstore", mapSize: configuration.mapSize))
            opened.append(try BareLMDBBaseline(directory: directory + "/bare-lmdb", mapSize: configuration.mapSize))
            opened.append(try SQLitePeer(path: directory + "/sqlite/events.db"))
        } catch {
            opened.forEach { $0.close() }
            throw error
        }
        return opened
    }

    /// Runs `scenario` against `subject` for `seconds`: every writer appends to its own stream, one
    /// append after the other, until the deadline; the time runs until the last append returned.
    static func measure(_ subject: any AppendSubject, _ scenario: AppendScenario, seconds: Double,
                        streamPrefix: String) async throws -> (events: Int, seconds: Double) {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start.advanced(by: .seconds(fractional: seconds))
        let events = try await withThrowingTaskGroup(of: Int.self, returning: Int.self) { group in
            for writer in 0..<scenario.writers {
                let stream = "\(streamPrefix)-w\(writer)"
                group.addTask {
                    var appended = 0
                    repeat {
                        try await subject.append(stream: stream, count: scenario.eventsPerAppend)
                        appended += scenario.eventsPerAppend
                    } while clock.now < deadline
                    return appended
                }
            }
            return try await group.reduce(0, +)
        }
        return (events, start.duration(to: clock.now).seconds)
    }

    // MARK: Scans

    private func runScans(in directory: String, progress: (String) -> Void) async throws -> [ScanResult] {
        let fm = FileManager.default
        for name in ["eventstore", "bare-lmdb", "sqlite"] {
            try fm.createDirectory(atPath: directory + "/" + name, withIntermediateDirectories: true)
        }
        let store = try EventStoreSubject(directory: directory + "/eventstore", mapSize: configuration.mapSize)
        defer { store.close() }
        let bare = try BareLMDBBaseline(directory: directory + "/bare-lmdb", mapSize: configuration.mapSize)
        defer { bare.close() }
        let sqlite = try SQLitePeer(path: directory + "/sqlite/events.db")
        defer { sqlite.close() }

        let count = configuration.scanEvents
        for subject in [store, bare, sqlite] as [any AppendSubject] {
            let clock = ContinuousClock()
            let start = clock.now
            try await Self.fill(subject, events: count)
            let seconds = start.duration(to: clock.now).seconds
            progress("filled \(subject.kind.rawValue) with \(Format.grouped(Double(count))) events "
                     + "(\(Format.grouped(Double(count) / seconds)) events/s in appends of 1,000)")
        }

        var rates: [ScanKind: [Double]] = [:]
        var cpuRates: [ScanKind: [Double]] = [:]
        for repetition in 1...configuration.repetitions {
            for kind in ScanKind.allCases {
                let clock = ContinuousClock()
                let countersBefore = ProcessCounters.now()
                let start = clock.now
                let scanned: Int
                switch kind {
                case .eventStoreHeaders: scanned = try store.scanHeaders().events
                case .eventStoreDecoded: scanned = try store.scanEvents().events
                case .bareCursor: scanned = try bare.scan().events
                case .sqliteSelect: scanned = try await sqlite.scan().events
                }
                let seconds = start.duration(to: clock.now).seconds
                let cpuSeconds = ProcessCounters.now().cpuSeconds - countersBefore.cpuSeconds
                guard scanned == count else {
                    throw BenchmarkError("\(kind.rawValue) scan saw \(scanned) events, expected \(count)")
                }
                let rate = Double(scanned) / seconds
                let cpuRate = Double(scanned) / Swift.max(cpuSeconds, 1e-6)
                rates[kind, default: []].append(rate)
                cpuRates[kind, default: []].append(cpuRate)
                progress("scan \(repetition)/\(configuration.repetitions), \(kind.rawValue): \(Format.grouped(rate)) events/s "
                         + "(\(Format.grouped(cpuRate)) per CPU second)")
            }
        }
        return ScanKind.allCases.map {
            ScanResult(kind: $0, events: count, eventsPerSecond: SampleSet(rates[$0] ?? []),
                       eventsPerCPUSecond: SampleSet(cpuRates[$0] ?? []))
        }
    }

    /// Writes `events` events to `subject` in appends of up to 1,000, from 8 concurrent writers,
    /// each append to a stream of its own.
    static func fill(_ subject: any AppendSubject, events: Int, writers: Int = 8, appendSize: Int = 1000) async throws {
        let appends = (events + appendSize - 1) / appendSize
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<min(writers, appends) {
                group.addTask {
                    for index in stride(from: writer, to: appends, by: writers) {
                        let size = min(appendSize, events - index * appendSize)
                        try await subject.append(stream: "scan-\(index)", count: size)
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
