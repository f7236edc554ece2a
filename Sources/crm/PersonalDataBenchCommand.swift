import ArgumentParser
import Domain
import EventStore
import Foundation

/// `crm bench-personal-data`: what sealing personal data costs on the write path, measured against
/// the same work without encryption in the same run (alternating, fresh directories each time).
struct PersonalDataBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-personal-data",
        abstract: "Benchmark appends with personal-data encryption on and off, in the same run.",
        discussion: """
            Four workloads, each run alternately with and without a key ring in fresh temporary \
            directories: (1) the batched import of a command file (default: the fixtures sample); \
            (2) interactions with notes logged one command at a time on existing customers (sealed \
            under keys that exist); (3) customers registered by --writers concurrent writers, each a \
            new subject and so a new data key (key writes share syncs like the log's group commit); \
            (4) customers registered one command at a time (the worst case: one more synced write, \
            of the keys environment, per command). Prints medians and the ratio.
            """)

    @Option(help: ArgumentHelp("Command file to import (default: Fixtures/sample-commands.ndjson).", valueName: "file"))
    var commands: String = "Fixtures/sample-commands.ndjson"

    @Option(help: "Runs of each workload per mode.")
    var runs: Int = 5

    @Option(help: "Commands per run of the one-at-a-time and concurrent workloads (0 skips them).")
    var single: Int = 500

    @Option(help: "Concurrent writers of the concurrent registrations.")
    var writers: Int = 16

    @Option(help: "Directory for the temporary stores.")
    var scratch: String = NSTemporaryDirectory()

    func validate() throws {
        guard runs > 0, single >= 0, writers > 0 else {
            throw ValidationError("--runs and --writers must be positive and --single not negative")
        }
    }

    func run() async throws {
        guard FileManager.default.isReadableFile(atPath: commands) else { throw CommandFailure.exit("bench-personal-data", "cannot read \(commands)") }
        let workloads: [(name: String, unit: String, run: (Bool) async throws -> Double)] = [
            ("import (batched)", "events/s", importRate),
            ("interactions, one at a time (existing subjects)", "commands/s", interactionRate),
            ("registrations, \(writers) concurrent writers (new subject each)", "commands/s", concurrentRegistrationRate),
            ("registrations, one at a time (new subject each)", "commands/s", registrationRate),
        ]
        var rates = Array(repeating: [true: [Double](), false: [Double]()], count: workloads.count)
        for run in 1...runs {
            for encrypted in (run % 2 == 0 ? [true, false] : [false, true]) {
                for (index, workload) in workloads.enumerated() where index == 0 || single > 0 {
                    let rate = try await workload.run(encrypted)
                    rates[index][encrypted]!.append(rate)
                    print("run \(run) \(encrypted ? "encrypted" : "plain    ") \(workload.name): \(Int(rate)) \(workload.unit)")
                }
            }
        }
        func median(_ values: [Double]) -> Double { let s = values.sorted(); return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2 }
        for (index, workload) in workloads.enumerated() where !rates[index][false]!.isEmpty {
            let plain = median(rates[index][false]!), sealed = median(rates[index][true]!)
            print("\(workload.name): plain median \(Int(plain)) \(workload.unit), encrypted median \(Int(sealed)) \(workload.unit), "
                  + "encrypted/plain = \(String(format: "%.3f", sealed / plain)) (cost \(String(format: "%.1f", (1 - sealed / plain) * 100)) %)")
        }
    }

    /// A fresh store (and key ring when `encrypted`), removed afterwards.
    private func withStore<T>(encrypted: Bool, _ body: (CommandHandler) async throws -> T) async throws -> T {
        let path = scratch + "/crm-bench-pd-" + UUID().uuidString
        defer {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: path + "-secrets")
        }
        let store = try EventStore(directory: path, configuration: .init(createIfMissing: true))
        defer { store.close() }
        let registry: EventRegistry
        if encrypted {
            let ring = try SubjectKeyRing(dataDirectory: path, masterKeyPath: path + "-secrets/master.key", createMasterKey: true)
            registry = EventRegistry.domain.protecting(with: ring)
        } else {
            registry = .domain
        }
        return try await body(CommandHandler(store: store, registry: registry))
    }

    private func importRate(encrypted: Bool) async throws -> Double {
        try await withStore(encrypted: encrypted) { handler in
            let importer = CommandImporter(customers: CustomerService(handler: handler))
            let start = ContinuousClock.now
            let report = try await importer.importFile(at: commands)
            let elapsed = ContinuousClock.now - start
            return Double(report.events) / elapsed.seconds
        }
    }

    private static let metadata = AppendMetadata(actor: Actor(id: "bench", role: "admin"),
                                                 source: Source(clientAddress: "local", userAgent: "bench", host: "bench"))

    /// A customer with an e-mail, phone and address of its own (`number` keeps the duplicate check quiet).
    private static func registration(_ prefix: String, _ number: Int) -> RegisterCustomer {
        RegisterCustomer(customerId: "\(prefix)\(number)", kind: .person, name: "Bench Person \(prefix)\(number)",
                         email: "bench.\(prefix)\(number)@example.org", phone: "+49 30 \(1_000_000 + number)",
                         address: "Benchstraße \(number), 10115 Berlin", channel: .webForm)
    }

    /// Registrations one at a time: each a new subject, so a new data key.
    private func registrationRate(encrypted: Bool) async throws -> Double {
        try await withStore(encrypted: encrypted) { handler in
            let customers = CustomerService(handler: handler)
            let context = DecisionContext(now: Date())
            let start = ContinuousClock.now
            for index in 0..<single {
                try await customers.register(Self.registration("B", index), context: context, metadata: Self.metadata)
            }
            return Double(single) / (ContinuousClock.now - start).seconds
        }
    }

    /// Registrations from `writers` concurrent tasks, as an HTTP server under load sees them.
    private func concurrentRegistrationRate(encrypted: Bool) async throws -> Double {
        try await withStore(encrypted: encrypted) { handler in
            let customers = CustomerService(handler: handler)
            let context = DecisionContext(now: Date())
            let (writers, single) = (writers, single)
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        for index in stride(from: writer, to: single, by: writers) {
                            try await customers.register(Self.registration("W", index), context: context, metadata: Self.metadata)
                        }
                    }
                }
                try await group.waitForAll()
            }
            return Double(single) / (ContinuousClock.now - start).seconds
        }
    }

    /// Interactions with notes (personal, sealed) on 20 existing customers, one command at a time.
    private func interactionRate(encrypted: Bool) async throws -> Double {
        try await withStore(encrypted: encrypted) { handler in
            let customers = CustomerService(handler: handler)
            let context = DecisionContext(now: Date())
            for index in 0..<20 {
                try await customers.register(Self.registration("E", index), context: context, metadata: Self.metadata)
            }
            let start = ContinuousClock.now
            for index in 0..<single {
                let command = LogInteraction(customerId: "E\(index % 20)", interactionId: "I\(index)", channel: .call, direction: .inbound,
                                             durationSeconds: 120, outcome: "reached", subject: "Renewal \(index)",
                                             notes: "Asked about the invoice of March and the new tariff, call back on Friday (\(index))")
                _ = try await handler.execute(command, context: context, metadata: Self.metadata)
            }
            return Double(single) / (ContinuousClock.now - start).seconds
        }
    }
}

extension Duration {
    /// Seconds as a floating-point number.
    fileprivate var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
