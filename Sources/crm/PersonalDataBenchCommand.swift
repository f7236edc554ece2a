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
            Two workloads, each run alternately with and without a key ring in fresh temporary \
            directories: (1) the batched import of a command file (default: the fixtures sample), \
            and (2) customers registered one command at a time, each with a new subject and \
            therefore a new data key (the worst case: one extra synced write per command). \
            Prints medians and the ratio.
            """)

    @Option(help: ArgumentHelp("Command file to import (default: Fixtures/sample-commands.ndjson).", valueName: "file"))
    var commands: String = "Fixtures/sample-commands.ndjson"

    @Option(help: "Runs of each workload per mode.")
    var runs: Int = 5

    @Option(help: "Customers registered one at a time per run (0 skips the workload).")
    var single: Int = 500

    @Option(help: "Directory for the temporary stores.")
    var scratch: String = NSTemporaryDirectory()

    func validate() throws {
        guard runs > 0, single >= 0 else { throw ValidationError("--runs must be positive and --single not negative") }
    }

    func run() async throws {
        guard FileManager.default.isReadableFile(atPath: commands) else { throw CommandFailure.exit("bench-personal-data", "cannot read \(commands)") }
        var importRates: [Bool: [Double]] = [true: [], false: []]
        var singleRates: [Bool: [Double]] = [true: [], false: []]
        for run in 1...runs {
            for encrypted in (run % 2 == 0 ? [true, false] : [false, true]) {
                let rate = try await importRate(encrypted: encrypted)
                importRates[encrypted]!.append(rate)
                print("run \(run) import  \(encrypted ? "encrypted" : "plain    "): \(Int(rate)) events/s")
                if single > 0 {
                    let rate = try await singleRate(encrypted: encrypted)
                    singleRates[encrypted]!.append(rate)
                    print("run \(run) single  \(encrypted ? "encrypted" : "plain    "): \(Int(rate)) commands/s")
                }
            }
        }
        func median(_ values: [Double]) -> Double { let s = values.sorted(); return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2 }
        func report(_ name: String, _ rates: [Bool: [Double]], _ unit: String) {
            let plain = median(rates[false]!), sealed = median(rates[true]!)
            print("\(name): plain median \(Int(plain)) \(unit), encrypted median \(Int(sealed)) \(unit), encrypted/plain = \(String(format: "%.3f", sealed / plain)) (cost \(String(format: "%.1f", (1 - sealed / plain) * 100)) %)")
        }
        report("import (batched)", importRates, "events/s")
        if single > 0 { report("single commands (new subject each)", singleRates, "commands/s") }
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

    private func singleRate(encrypted: Bool) async throws -> Double {
        try await withStore(encrypted: encrypted) { handler in
            let customers = CustomerService(handler: handler)
            let metadata = AppendMetadata(actor: Actor(id: "bench", role: "admin"), source: Source(clientAddress: "local", userAgent: "bench", host: "bench"))
            let context = DecisionContext(now: Date())
            let start = ContinuousClock.now
            for index in 0..<single {
                try await customers.register(RegisterCustomer(customerId: "B\(index)", kind: .person, name: "Bench Person \(index)",
                                                              email: "bench.\(index)@example.org", phone: "+49 30 \(1_000_000 + index)",
                                                              address: "Benchstraße \(index), 10115 Berlin", channel: .webForm),
                                             context: context, metadata: metadata)
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
