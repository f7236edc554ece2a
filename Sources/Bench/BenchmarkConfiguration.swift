import Foundation

/// How long and how big a benchmark run is.
///
/// Appends are measured for a fixed time rather than a fixed count: the disk's fsync latency
/// varies tenfold, and a fixed count would make a run last anything from seconds to minutes.
public struct BenchmarkConfiguration: Sendable, Codable, Equatable {
    /// Times each scenario is run per subject; medians are taken over these.
    public var repetitions: Int
    /// Wall time of one append run (one scenario, one subject, one repetition), summed over its slices.
    public var secondsPerRun: Double
    /// Each run is cut into this many slices, taken in turn with the other subjects' slices, so a
    /// change of disk speed in the middle of a run hits every subject alike.
    public var slicesPerRun: Int
    /// An unmeasured run per subject before the first repetition, so first-touch costs (file
    /// growth, page faults, statement compilation) are not charged to the first scenario.
    public var warmUpSeconds: Double
    /// Events written to each subject's scan log before the scans.
    public var scanEvents: Int
    /// Where the temporary data directory is created; the system temporary directory when nil.
    public var parentDirectory: String?
    /// LMDB map size for the EventStore and the bare baseline: large enough that neither grows it.
    public var mapSize: Int

    public init(repetitions: Int = 5, secondsPerRun: Double = 2, slicesPerRun: Int = 8, warmUpSeconds: Double = 0.5,
                scanEvents: Int = 1_000_000, parentDirectory: String? = nil, mapSize: Int = 16 << 30) {
        self.repetitions = repetitions
        self.secondsPerRun = secondsPerRun
        self.slicesPerRun = slicesPerRun
        self.warmUpSeconds = warmUpSeconds
        self.scanEvents = scanEvents
        self.parentDirectory = parentDirectory
        self.mapSize = mapSize
    }

    /// The full run recorded in BENCHMARKS.md (about three minutes).
    public static let standard = BenchmarkConfiguration()

    /// A smoke run for CI: every scenario and scan once, short, well under 30 seconds. Its figures
    /// show that the benchmark works, not how fast anything is.
    public static let quick = BenchmarkConfiguration(repetitions: 1, secondsPerRun: 0.4, slicesPerRun: 2, warmUpSeconds: 0.1, scanEvents: 20_000)

    /// Why the configuration cannot run, or nil.
    public var problem: String? {
        if repetitions < 1 { return "repetitions must be at least 1" }
        if !(secondsPerRun > 0) { return "seconds per run must be positive" }
        if slicesPerRun < 1 { return "slices per run must be at least 1" }
        if warmUpSeconds < 0 { return "warm-up seconds must not be negative" }
        if scanEvents < 1 { return "scan events must be at least 1" }
        return nil
    }
}
