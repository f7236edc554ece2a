import ArgumentParser
import Domain
import Foundation

/// `crm fixtures …`: test and demo data.
struct FixturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fixtures",
        abstract: "Generate test and demo data.",
        subcommands: [Generate.self]
    )

    /// `crm fixtures generate`: simulates a company and writes what happened as a command file.
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate",
            abstract: "Simulate a company and write its history as a command file (NDJSON) for `crm import`.",
            discussion: """
                The simulation covers leads by channel, opportunities stage by stage, quotes, orders, invoices and \
                payments (some late), service cases with SLA breaches, surveys, campaigns, managers' plans, logs and \
                tasks, churn and win-back, and duplicate registrations that are merged, with seasonality. The same \
                settings and seed give the same file, byte for byte. --customers, --years and --seed override the \
                settings file.
                """
        )

        @Option(help: "Customers the company gains over the period (the opening base included).")
        var customers: Int?

        @Option(help: "Years to simulate.")
        var years: Int?

        @Option(help: "Seed of the simulation; the same seed gives the same file.")
        var seed: UInt64?

        @Option(help: ArgumentHelp("The command file to write.", valueName: "file"))
        var out: String

        @Option(help: ArgumentHelp("Simulation settings (JSON, e.g. Fixtures/sample-settings.json); unset fields take defaults.", valueName: "file"))
        var settings: String?

        func run() throws {
            var settings: SimulationSettings
            if let path = self.settings {
                do {
                    settings = try JSONDecoder().decode(SimulationSettings.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
                } catch {
                    throw CommandFailure.exit("fixtures generate", "cannot read settings \(path): \(error)")
                }
            } else {
                settings = SimulationSettings(customers: 300, years: 3, seed: 1)
            }
            if let customers { settings.customers = customers }
            if let years { settings.years = years }
            if let seed { settings.seed = seed }
            let problems = settings.problems
            guard problems.isEmpty else { throw CommandFailure.exit("fixtures generate", problems.joined(separator: "; ")) }

            guard FileManager.default.createFile(atPath: out, contents: nil), let handle = FileHandle(forWritingAtPath: out) else {
                throw CommandFailure.exit("fixtures generate", "cannot write \(out)")
            }
            defer { try? handle.close() }
            let started = Date()
            var buffer = Data()
            var bytes = 0
            let summary: SimulationSummary
            do {
                summary = try CompanySimulator().generateLines(settings) { line in
                    buffer.append(line)
                    if buffer.count >= 1 << 20 {
                        try handle.write(contentsOf: buffer)
                        bytes += buffer.count
                        buffer.removeAll(keepingCapacity: true)
                    }
                }
                try handle.write(contentsOf: buffer)
                bytes += buffer.count
            } catch {
                throw CommandFailure.exit("fixtures generate", "\(error)")
            }
            let seconds = Date().timeIntervalSince(started)
            print("fixtures: \(summary.line); \(bytes) bytes written to \(out) in \(String(format: "%.1f", seconds)) s")
        }
    }
}
