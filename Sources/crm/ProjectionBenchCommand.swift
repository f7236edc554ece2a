import ArgumentParser
import Domain
import EventStore
import Foundation
import Projections

/// `crm bench-projections`: over an imported log (e.g. a generated company), measures full
/// rebuilds (each operational view alone, the operational views together, every projector
/// together), query latencies, and the live lag of every projector under a steady append load.
struct ProjectionBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-projections",
        abstract: "Benchmark read models over an existing log: rebuild rates, query latencies, live lag.",
        discussion: """
            Builds into temporary directories under the data directory (removed afterwards), so \
            the live read models are not touched (unless --skip-rebuilds). The live-lag phase \
            appends LogInteraction commands to existing customers: run it on a copy of a log you \
            can extend. Only the cube queries: --skip-rebuilds --projector cubes --live-seconds 0; \
            only the live lag: --skip-rebuilds --queries 0 --cube-queries 0.
            """)

    @OptionGroup var dataOptions: DataOptions

    @OptionGroup var masterKey: MasterKeyOptions

    @Option(help: "Customer 360 queries to time.")
    var queries: Int = 20_000

    @Option(help: "Cube queries to time per shape from the roll-ups (from the finest cells: at most 20).")
    var cubeQueries: Int = 200

    @Option(help: "Seconds of steady append load for the live-lag phase (0 skips it).")
    var liveSeconds: Int = 20

    @Option(help: "Commands per second during the live-lag phase.")
    var liveRate: Int = 500

    @Flag(help: ArgumentHelp(
        "Start the live phase's business time so that it crosses midnight halfway through.",
        discussion: "The state cycle fires a business day's time-driven changes when the first event of the next day arrives; this measures what that costs the append behind it."))
    var crossDay = false

    @Flag(help: "Skip timing each operational view alone.")
    var skipSingle = false

    @Flag(help: ArgumentHelp(
        "Time no rebuild: bring the data directory's own read models (<data>/projections) up to the head, then run the queries and the live phase on them.",
        discussion: "The first run builds them (as `crm rebuild` would); later runs reuse them, so a query or live-lag measurement on a large log takes seconds."))
    var skipRebuilds = false

    @Option(name: .customLong("projector"),
            help: ArgumentHelp("With --skip-rebuilds, only these read models (repeatable; default all).", valueName: "name"))
    var projectors: [String] = []

    func run() async throws {
        let directory = try dataOptions.directory()
        let store = try StoreOpening.openExisting(directory, command: "bench-projections")
        defer { store.close() }
        // Read models keep personal values: decode with the data keys where the directory has them.
        let hasKeys = FileManager.default.fileExists(atPath: directory + "/" + SubjectKeyRing.directoryName + "/data.mdb")
        let ring = hasKeys ? try masterKey.open(dataDirectory: directory, create: false, command: "bench-projections") : nil
        let registry = ring.map { EventRegistry.domain.protecting(with: $0) } ?? .domain
        let head = store.headWatch.head
        let scratch = "\(directory)/projections/_bench-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        print("log: \(head) events; \(ProcessInfo.processInfo.activeProcessorCount) cores")
        print("")
        print("| rebuild | seconds | log events/s | peak RSS |")
        print("|---|---|---|---|")

        func build(_ label: String, _ projectors: [any Projector]) async throws -> ProjectionEngine {
            let engine = try ProjectionEngine(store: store, projectors: projectors, directory: "\(scratch)/\(label)", registry: registry)
            let started = ContinuousClock.now
            try await engine.catchUpConcurrently()
            let seconds = Self.seconds(ContinuousClock.now - started)
            print(String(format: "| %@ | %.2f | %.0f | %@ |", label, seconds, Double(head) / seconds, Self.peakMemory()))
            return engine
        }
        let all: ProjectionEngine
        if skipRebuilds {
            let selected = projectors.isEmpty ? StandardProjectors.all : StandardProjectors.all.filter { projectors.contains($0.name) }
            all = try ProjectionEngine(store: store, projectors: selected, registry: registry)
            let started = ContinuousClock.now
            try await all.catchUpConcurrently()
            print(String(format: "| brought up to the head, no rebuild timed (%@) | %.2f | | %@ |", all.names.joined(separator: ", "),
                         Self.seconds(ContinuousClock.now - started), Self.peakMemory()))
        } else {
            if !skipSingle {
                for projector in OperationalProjectors.all + [AuditIndexProjector()] {
                    _ = try await build(projector.name, [projector])
                }
            }
            _ = try await build("operational views together", OperationalProjectors.all)
            all = try await build("all projectors together", StandardProjectors.all)
        }

        // Query latencies on the full read models.
        var customers: [String] = []
        _ = try store.scanHeaders { header in
            if header.type == "CustomerRegistered" { customers.append(String(header.stream.dropFirst("customer-".count))) }
            return true
        }
        print("")
        print("| query | count | p50 µs | p99 µs | max µs |")
        print("|---|---|---|---|---|")
        if !customers.isEmpty, all.names.contains("customer360"), queries > 0 {
            var generator = SystemRandomNumberGenerator()
            var samples: [Double] = []
            samples.reserveCapacity(queries)
            var found = 0
            for _ in 0..<queries {
                let id = customers.randomElement(using: &generator)!
                let started = ContinuousClock.now
                let answer = try all.read("customer360") { try Customer360.query($0, customerId: id) }
                samples.append(Self.seconds(ContinuousClock.now - started) * 1e6)
                if answer != nil { found += 1 }
            }
            Self.printLatency("customer 360 (\(found) found)", samples)
        }

        if all.names.contains("cubes"), cubeQueries > 0 {
            try timeCubeQueries(all)
        }

        guard liveSeconds > 0, !customers.isEmpty else { return }
        try await liveLag(store: store, engine: all, customers: customers)
    }

    /// Times cube questions of several shapes, each answered from the roll-ups and, in the same
    /// run, from the finest cells only (how every question was answered before the roll-ups);
    /// checks that both answers are equal.
    func timeCubeQueries(_ engine: ProjectionEngine) throws {
        let managers = try engine.read("cubes") { reader in
            try CubeQuery(cube: .revenue, groupBy: [.team, .manager]).answer(reader).rows.filter { !$0.key[1].isEmpty }
        }
        // A restricted manager's scope: the managers of the first team with managers.
        let team = managers.first?.key[0] ?? ""
        let scope = CubeQuery.Filter(.manager, managers.filter { $0.key[0] == team }.map { $0.key[1] })
        // The busiest year (the log may end on the first days of a year).
        let lastYear = try engine.read("cubes") { reader in
            try CubeQuery(cube: .revenue, measures: ["ordersPlaced"], groupBy: [.year]).answer(reader).rows
                .max { ($0.values["ordersPlaced"] ?? 0) < ($1.values["ordersPlaced"] ?? 0) }?.key[0]
        }.flatMap { Int($0) } ?? 2025
        let from = ISO8601DateFormatter().date(from: "\(lastYear)-02-14T00:00:00Z")
        let to = ISO8601DateFormatter().date(from: "\(lastYear)-11-03T00:00:00Z")
        let shapes: [(String, CubeQuery)] = [
            ("revenue cube, month × region, whole history",
             CubeQuery(cube: .revenue, measures: ["ordersPlacedAmount"], groupBy: [.month, .region])),
            ("revenue cube, quarter × product, one team's scope",
             CubeQuery(cube: .revenue, groupBy: [.quarter, .product], filters: [scope])),
            ("pipeline cube, stage pivoted by year, \(lastYear)-02-14..\(lastYear)-11-03",
             CubeQuery(cube: .pipeline, measures: ["won", "wonAmount", "openAmount"], groupBy: [.stage], from: from, to: to, pivot: .year)),
            ("service cube, week, whole history",
             CubeQuery(cube: .service, measures: ["casesOpened", "slaBreaches"], groupBy: [.week])),
            ("customer cube, month × region × segment",
             CubeQuery(cube: .customer, groupBy: [.month, .region, .segment])),
            ("customer cube, month × team × region × segment (three dimensions: no roll-up)",
             CubeQuery(cube: .customer, groupBy: [.month, .team, .region, .segment])),
        ]
        for (label, query) in shapes {
            var answers: [Bool: CubeAnswer] = [:]
            for rollUps in [false, true] {
                var samples: [Double] = []
                // The finest cells take up to a second a question at 1M events: fewer samples.
                for _ in 0..<(rollUps ? cubeQueries : min(cubeQueries, 20)) {
                    let started = ContinuousClock.now
                    let answer = try engine.read("cubes") { try query.answer($0, rollUps: rollUps) }
                    samples.append(Self.seconds(ContinuousClock.now - started) * 1e6)
                    answers[rollUps] = answer
                }
                let rows = answers[rollUps]?.rows.count ?? 0
                Self.printLatency("\(label) (\(rows) rows), \(rollUps ? "roll-ups" : "finest cells only")", samples)
            }
            if answers[true] != answers[false] { print("| ^ the two answers DIFFER | | | | |") }
        }
    }

    /// Appends `LogInteraction` commands at a fixed rate while the engine runs, and measures for
    /// each acknowledged append how long until every projector reflects it.
    func liveLag(store: EventStore, engine: ProjectionEngine, customers: [String]) async throws {
        let handler = CommandHandler(store: store)
        let running = Task { await engine.run() }
        defer { running.cancel() }
        let names = engine.names
        let metadata = AppendMetadata(actor: Actor(id: "bench", role: "integrator"),
                                      source: Source(clientAddress: "127.0.0.1", userAgent: "crm bench-projections", host: "bench"))
        let interval = Duration.seconds(1) / max(1, liveRate)
        // Business time continues from the log's last event, as in a live system; jumping to the
        // wall clock from a simulated past would make the state cycle fire years of time-driven
        // changes at the first live event and measure that instead.
        let last = try store.event(at: store.headWatch.head).flatMap { try? EventRegistry.domain.decode($0) }
        let logEnd = last?.occurredAt ?? Date()
        // With --cross-day: midnight (UTC) after the last event, half the live phase ahead.
        let midnight = (logEnd.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400 + 86_400
        let businessStart = crossDay ? max(logEnd, Date(timeIntervalSince1970: midnight - Double(liveSeconds) / 2)) : logEnd
        let wallStart = Date()
        let total = liveSeconds * liveRate
        // Per acknowledged append: milliseconds until each projector reflected it.
        let lags = await withTaskGroup(of: [String: Double]?.self) { group in
            var next = ContinuousClock.now
            for i in 0..<total {
                next += interval
                try? await Task.sleep(until: next, clock: .continuous)
                let customer = customers[i % customers.count]
                group.addTask {
                    let command = LogInteraction(customerId: customer, interactionId: "bench-\(UUID().uuidString)", channel: .call,
                                                 direction: .inbound, durationSeconds: 60, outcome: "answered")
                    let now = businessStart.addingTimeInterval(Date().timeIntervalSince(wallStart))
                    guard let outcome = try? await handler.execute(command, context: DecisionContext(now: now), metadata: metadata),
                          let position = outcome.positions.last else { return nil }
                    let acknowledged = ContinuousClock.now
                    return await withTaskGroup(of: (String, Double).self) { waits in
                        for name in names {
                            waits.addTask {
                                _ = try? await engine.waitUntil(name, reflects: position, timeout: .seconds(30))
                                return (name, Self.seconds(ContinuousClock.now - acknowledged) * 1000)
                            }
                        }
                        var lags: [String: Double] = [:]
                        for await (name, lag) in waits { lags[name] = lag }
                        return lags
                    }
                }
            }
            var lags: [[String: Double]] = []
            for await lag in group { if let lag { lags.append(lag) } }
            return lags
        }
        print("")
        print("| live lag, \(liveRate) commands/s for \(liveSeconds) s: acknowledged append → reflected | count | p50 ms | p99 ms | max ms |")
        print("|---|---|---|---|---|")
        for name in names + ["every projector"] {
            let sorted = lags.map { name == "every projector" ? ($0.values.max() ?? 0) : ($0[name] ?? 0) }.sorted()
            print(String(format: "| %@ | %d | %.1f | %.1f | %.1f |", name, sorted.count,
                         Self.percentile(sorted, 0.5), Self.percentile(sorted, 0.99), sorted.last ?? 0))
        }
        print("peak RSS \(Self.peakMemory())")
    }

    static func printLatency(_ label: String, _ samples: [Double]) {
        let sorted = samples.sorted()
        print(String(format: "| %@ | %d | %.0f | %.0f | %.0f |", label, sorted.count, percentile(sorted, 0.5), percentile(sorted, 0.99), sorted.last ?? 0))
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.down)))]
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func peakMemory() -> String {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return "\(usage.ru_maxrss / 1024) MB"
    }
}
