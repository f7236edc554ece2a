import ArgumentParser
import Bench
import Foundation

/// `crm bench`: measures the event log against a bare LMDB loop and SQLite in one run and prints
/// the tables recorded in BENCHMARKS.md. The measuring lives in the `Bench` module; this only maps
/// options to a `BenchmarkConfiguration` and chooses the output.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark appends and scans: EventStore vs a bare LMDB baseline vs SQLite (WAL, synchronous=FULL).",
        discussion: """
            Progress goes to standard error; the markdown tables (or, with --json, the full report) to \
            standard output. Only ratios from one run are meaningful on a shared disk.
            """)

    @Option(help: "Repetitions of every scenario per subject; medians are taken over these.")
    var repetitions: Int?

    @Option(name: .customLong("duration-per-run"), help: "Seconds each append run lasts (one scenario, one subject).")
    var durationPerRun: Double?

    @Option(help: "Slices each run is cut into, taken in turn with the other subjects.")
    var slices: Int?

    @Option(name: .customLong("scan-events"), help: "Events written to each subject's log before the full scans.")
    var scanEvents: Int?

    @Option(help: "Parent directory for the temporary data (default: the system temporary directory).")
    var directory: String?

    @Flag(help: "A smoke run (one short repetition, a small scan log) finishing in well under 30 seconds.")
    var quick = false

    @Flag(help: "Print the whole report as JSON instead of markdown tables.")
    var json = false

    func run() async throws {
        var configuration = quick ? BenchmarkConfiguration.quick : .standard
        if let repetitions { configuration.repetitions = repetitions }
        if let durationPerRun { configuration.secondsPerRun = durationPerRun }
        if let slices { configuration.slicesPerRun = slices }
        if let scanEvents { configuration.scanEvents = scanEvents }
        configuration.parentDirectory = directory
        if let problem = configuration.problem { throw ValidationError(problem) }

        let report = try await BenchmarkSuite(configuration: configuration).run { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            FileHandle.standardOutput.write(try encoder.encode(report) + Data("\n".utf8))
        } else {
            print(report.markdown, terminator: "")
        }
    }
}
